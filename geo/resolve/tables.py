"""The resolution step's tables: persons, record → person assignments, the review queue and the
last run's stamp."""

from sqlalchemy import BigInteger, Column, DateTime, Float, SmallInteger, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from geo.ingest.tables import metadata

persona = Table(
    "persona",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("curp", String(18, collation="C"), unique=True),
    Column("creada_en", DateTime(timezone=True)),
)
"""A person; ``asignacion`` links records to it. Ids are stable: resolution never reassigns one."""

asignacion = Table(
    "asignacion",
    metadata,
    Column("registro_id", BigInteger, primary_key=True, autoincrement=False),
    Column("carga_id", BigInteger, nullable=False),
    Column("persona_id", BigInteger, nullable=False),
)
"""Which person each resolved record is (a record without a row here is not resolved yet).
Kept beside ``registro``, like ``ubicacion``: resolution inserts narrow rows instead of
rewriting the wide records. Without foreign keys, whose per-row triggers would dominate a
resolution of millions of records: only ``geo.resolve`` writes here, with the persons it
creates in the same transaction. Every statement that writes here logs the records it touched,
with their old and new person, in ``analisis.cambio`` for the coverage refresh (one trigger per
statement, not per row: ``migrations/versions/0019_cuenta_por_persona.py``)."""

revision = Table(
    "revision",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("registro_id", BigInteger, nullable=False),
    Column("candidato_id", BigInteger, nullable=False),
    Column("probabilidad", Float, nullable=False),
    Column("creada_en", DateTime(timezone=True)),
    Column("decision", Text),
    Column("decidida_en", DateTime(timezone=True)),
    Column("decidida_por", Text),
    Column("detalle", JSONB),
)
"""A candidate pair for a human: ``registro_id`` (a record without a person, held until decided)
may be the same person as ``candidato_id``. ``decision`` is ``misma`` or ``distinta``; later runs
of ``padron resolve`` respect it. ``detalle``: each comparison's level and weight when the pair
was queued (``geo.resolve.review``)."""

resolucion = Table(
    "resolucion",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("huella", Text, nullable=False),
    Column("resuelta_en", DateTime(timezone=True), nullable=False),
)
"""One row, the last resolution run with the default model and thresholds: ``huella`` is what
it read besides its own writes (``sql/huella.sql``) and the assignments and persons it left. A
run that finds the same has nothing new to decide (``geo.resolve.resolver.resolve``)."""
