"""The ``analisis`` schema: coverage aggregated by area (exact figures: the public reads the
suppressed views of ``publico``), and the rows per person it is counted from
(``persona_programa``, ``cambio``: internal person and record ids with their places and amounts,
never published nor served).

Declared once for queries; created by ``migrations/versions/0007_cobertura.py`` (and 0019).
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
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, BIT, JSONB

metadata = MetaData(schema="analisis")

area = Table(
    "area",
    metadata,
    Column("nivel", Text, primary_key=True),
    Column("clave", Text, primary_key=True),
    Column("nombre", Text, nullable=False),
    Column("cvegeo_mun", String(5)),
    Column("nom_mun", Text),
    Column("distrito", Text),
    Column("region", Text),
    Column("pobtot", Integer, nullable=False),
    Column("poblacion", JSONB, nullable=False),
    Column("gm", Text),
    Column("grado_orden", SmallInteger, nullable=False),
    Column("fuente_marginacion", Text),
    Column("anio_marginacion", SmallInteger),
    Column("geom", Geometry("GEOMETRY", 4326, spatial_index=False), nullable=False),
)
"""Every locality, municipality, district, region and the state with its census population
(``poblacion``: population of each group of :data:`geo.coverage.groups.GROUPS`, estimated where
the census suppressed the age groups) and marginality (``grado_orden``: 0 no grade … 5 Muy alto).
Districts and regions have no official marginality index: their grade is NULL."""

cobertura = Table(
    "cobertura",
    metadata,
    Column("programa", Text, primary_key=True),
    Column("periodo", Text, primary_key=True),
    Column("nivel", Text, primary_key=True),
    Column("clave", Text, primary_key=True),
    Column("personas", Integer, nullable=False),
    Column("registros", Integer, nullable=False),
    Column("importe", Numeric(16, 2), nullable=False),
    Column("importe_repetido", Numeric(16, 2), nullable=False),
    Column("grupo", Text),
    Column("poblacion_grupo", Float),
    Column("cobertura", Float),
)
"""Unique persons of one program and period per area (every area, zero included), with their
records and amounts in the program (``importe_repetido``: the amounts of each person's listings
after their first). ``periodo`` is ``''`` for records without a period.
``cobertura = personas / poblacion_grupo``. Counting rule: ``docs/coverage.md``."""

combinacion = Table(
    "combinacion",
    metadata,
    Column("periodo", Text, primary_key=True),
    Column("nivel", Text, primary_key=True),
    Column("clave", Text, primary_key=True),
    Column("programas", ARRAY(Text), primary_key=True),
    Column("personas", Integer, nullable=False),
    Column("importe", Numeric(16, 2), nullable=False),
)
"""Persons of an area and period by the exact set of programs they receive (and what all their
listings of the period pay): the persons reached by any of several programs are the sum over the
sets that meet them, without double counting."""

refresco = Table(
    "refresco",
    metadata,
    Column("programa", Text, primary_key=True),
    Column("periodo", Text, primary_key=True),
    Column("cargas", ARRAY(BigInteger), nullable=False),
    Column("grupo", Text),
    Column("registros", Integer, nullable=False),
    Column("registros_total", Integer, nullable=False),
    Column("refrescado_en", DateTime(timezone=True), nullable=False),
)
"""When each program and period was last computed, and from which batches. ``registros``:
records placed at least in a municipality; ``registros_total``: every record."""

refresco_carga = Table(
    "refresco_carga",
    metadata,
    Column("carga_id", BigInteger, primary_key=True),
    Column("programa", Text, nullable=False),
    Column("periodos", ARRAY(Text), nullable=False),
    Column("huella", Text, nullable=False),
    Column("refrescado_en", DateTime(timezone=True), nullable=False),
)
"""The state of each batch (rows, resolved persons, places) when coverage last used it."""

persona_programa = Table(
    "persona_programa",
    metadata,
    Column("periodo", Text),
    Column("persona", BigInteger),
    Column("programa", Text),
    Column("registros", BigInteger),
    Column("importe", Numeric),
    Column("importe_repetido", Numeric),
    Column("cvegeo_mun", Text(collation="C")),
    Column("cvegeo_loc", Text(collation="C")),
    Column("programas", BIT(varying=True)),
    Column("importe_persona", Numeric),
    Column("primera", Boolean),
)
"""What each period's coverage is counted from, kept between refreshes so that a refresh
recomputes only the persons whose records changed: one row per person and program (where the
person lives in the period, the bit string of their programs, what their listings pay).
Partitioned by period, each partition unlogged (derived data: a crash empties it, and the next
refresh recomputes the period). Created by ``migrations/versions/0019_cuenta_por_persona.py``."""

refresco_periodo = Table(
    "refresco_periodo",
    metadata,
    Column("periodo", Text, primary_key=True),
    Column("programas", ARRAY(Text), nullable=False),
    Column("con_personas", Boolean, nullable=False),
)
"""Each kept period: the order of its programs in the kept rows' bit strings, and whether it
held persons when kept (a partition found empty after that was lost in a crash)."""

cambio = Table(
    "cambio",
    metadata,
    Column("carga_id", BigInteger, nullable=False),
    Column("registro_id", BigInteger, nullable=False),
    Column("persona_id", BigInteger),
)
"""Records whose person or place changed since the last refresh (and the person they were or
are), logged by triggers on ``padron.asignacion`` and ``padron.ubicacion`` once a period is kept."""
