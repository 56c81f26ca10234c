"""The ``padron`` schema's ingest tables: programs, batches (``carga``, one per loaded file),
records, rejected rows and the files as received.

Declared once for queries; created by ``migrations/versions/0002_padron.py`` and later ones.
``metadata`` is shared by every step's tables of the ``padron`` schema.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData(schema="padron")

RAW_SEPARATOR = "\x1f"
"""ASCII unit separator between the raw cells of a reject (``rechazo.crudo``).

In SQL: ``string_to_array(crudo, chr(31))``. A text column is much cheaper to COPY than an
array, and cells never contain this control code (ingest replaces it with a space)."""


def raw_values(crudo: str) -> list[str]:
    """The raw cells of a reject, as received."""
    return crudo.split(RAW_SEPARATOR)


programa = Table(
    "programa",
    metadata,
    Column("clave", Text, primary_key=True),
    Column("nombre", Text, nullable=False),
    Column("creado_en", DateTime(timezone=True)),
)

carga = Table(
    "carga",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("programa", Text, ForeignKey("padron.programa.clave"), nullable=False),
    Column("periodo", Text),
    Column("archivo", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("formato", Text, nullable=False),
    Column("codificacion", Text),
    Column("delimitador", Text),
    Column("layout", Text, nullable=False),
    Column("columnas", ARRAY(Text), nullable=False),
    Column("filas_leidas", Integer, nullable=False),
    Column("filas_cargadas", Integer, nullable=False),
    Column("filas_rechazadas", Integer, nullable=False),
    Column("folios_repetidos", Integer, nullable=False),
    Column("iniciada_en", DateTime(timezone=True), nullable=False),
    Column("terminada_en", DateTime(timezone=True), nullable=False),
    Column("usuario", Text),
    Column("retirada_en", DateTime(timezone=True)),
    Column("retirada_por", Text),
    Column("motivo_retiro", Text),
)
"""One ingested file. ``filas_leidas = filas_cargadas + filas_rechazadas`` is a constraint.
A withdrawn batch (``retirada_en``) keeps this row and its file, and nothing else."""

REGISTRO_COLUMNS = (
    "carga_id", "programa", "periodo", "folio", "fila", "curp", "curp_valida",
    "primer_ap", "segundo_ap", "nombre", "primer_ap_norm", "segundo_ap_norm", "nombre_norm",
    "fecha_nacimiento", "sexo", "edo_nac", "fecha_alta", "importe",
    "tipovial", "nomvial", "numext", "numint", "tipoasen", "nomasen", "cp", "descrubic",
    "cve_ent", "cve_mun", "cve_loc", "nom_ent", "nom_mun", "nom_loc",
    "lon_declarada", "lat_declarada", "banderas",
)  # fmt: skip
"""Columns written by ingest, in COPY order."""

registro = Table(
    "registro",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("carga_id", BigInteger, ForeignKey("padron.carga.id"), primary_key=True),
    Column("programa", Text, nullable=False),
    Column("periodo", Text),
    Column("folio", Text(collation="C"), nullable=False),
    Column("fila", Integer, nullable=False),
    Column("curp", String(18, collation="C")),
    Column("curp_valida", Boolean, nullable=False),
    Column("primer_ap", Text),
    Column("segundo_ap", Text),
    Column("nombre", Text),
    Column("primer_ap_norm", Text(collation="C")),
    Column("segundo_ap_norm", Text(collation="C")),
    Column("nombre_norm", Text(collation="C")),
    Column("fecha_nacimiento", Date),
    Column("sexo", String(1, collation="C")),
    Column("edo_nac", String(2)),
    Column("fecha_alta", Date),
    Column("importe", Numeric(14, 2)),
    Column("tipovial", Text),
    Column("nomvial", Text),
    Column("numext", Text),
    Column("numint", Text),
    Column("tipoasen", Text),
    Column("nomasen", Text),
    Column("cp", String(5)),
    Column("descrubic", Text),
    Column("cve_ent", String(2)),
    Column("cve_mun", String(3)),
    Column("cve_loc", String(4)),
    Column("nom_ent", Text),
    Column("nom_mun", Text),
    Column("nom_loc", Text),
    Column("lon_declarada", Float),
    Column("lat_declarada", Float),
    Column("banderas", ARRAY(Text), nullable=False),
)
"""One roster row as loaded: fields as received (trimmed), normalised fields, and named
``banderas`` for usable problems. The row's cells exactly as received are row ``fila`` of the
batch's file in :data:`carga_archivo`.
Partitioned by ``carga_id``: each batch is its own table, ``padron.registro_<carga_id>``."""

rechazo = Table(
    "rechazo",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("carga_id", BigInteger, ForeignKey("padron.carga.id"), nullable=False),
    Column("fila", Integer, nullable=False),
    Column("motivo", Text, nullable=False),
    Column("detalle", Text),
    Column("crudo", Text, nullable=False),
)
"""A row that could not be used, with its row number, reason and raw values."""

carga_archivo = Table(
    "carga_archivo",
    metadata,
    Column("carga_id", BigInteger, ForeignKey("padron.carga.id"), primary_key=True),
    Column("parte", Integer, primary_key=True, autoincrement=False),
    Column("contenido", Text, nullable=False),
    Column("tamano", BigInteger, nullable=False),
    Column("datos", LargeBinary, nullable=False),
)
"""Each batch's file as received, in zstd-compressed parts (``contenido = 'original'``;
``tamano``: bytes before compression); see
:mod:`geo.ingest.archive`. Batches loaded before migration 0010 have ``'celdas'`` parts instead."""
