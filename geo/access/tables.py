"""The ``acceso`` schema: users, tokens, the append-only audit log, photos and verified points.

Created by ``migrations/versions/0008_acceso.py``.
"""

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData(schema="acceso")

usuario = Table(
    "usuario",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("nombre", Text, nullable=False, unique=True),
    Column("rol", Text, nullable=False),
    Column("secreto_hash", Text, nullable=False),
    Column("municipios", ARRAY(String(5)), nullable=False),
    Column("regiones", ARRAY(Text), nullable=False),
    Column("activo", Boolean, nullable=False),
    Column("creado_en", DateTime(timezone=True)),
)
"""A person with a login. Area: the listed municipalities plus those of the listed regions."""

token = Table(
    "token",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("usuario_id", BigInteger, nullable=False),
    Column("creado_en", DateTime(timezone=True)),
    Column("expira_en", DateTime(timezone=True), nullable=False),
)

auditoria = Table(
    "auditoria",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("en", DateTime(timezone=True)),
    Column("usuario", Text, nullable=False),
    Column("accion", Text, nullable=False),
    Column("registro_id", BigInteger),
    Column("carga_id", BigInteger),
    Column("detalle", Text),
    Column("cliente", Text),
)
"""Append-only (a trigger refuses UPDATE, DELETE, TRUNCATE): who did what to which record."""

foto = Table(
    "foto",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("registro_id", BigInteger, nullable=False),
    Column("carga_id", BigInteger, nullable=False),
    Column("archivo", Text, nullable=False),
    Column("tipo", Text, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("subida_por", Text, nullable=False),
    Column("subida_en", DateTime(timezone=True)),
)
"""A dwelling photo; the file lives outside any served directory (``PADRON_HOME/fotos``)."""

punto_verificado = Table(
    "punto_verificado",
    metadata,
    Column("registro_id", BigInteger, primary_key=True),
    Column("geom", Geometry("POINT", 4326, spatial_index=False), nullable=False),
    Column("usuario", Text, nullable=False),
    Column("en", DateTime(timezone=True)),
    Column("precision", Text, nullable=False),
    Column("precision_m", Float),
    Column("medido_en", DateTime(timezone=True)),
)
"""The last point field staff recorded for a record, with the phone's accuracy radius
(``precision_m``) and its precision (``verificado_campo`` or ``campo_impreciso``); kept apart so
re-geocoding cannot lose it. Created by migrations 0008 and 0013."""
