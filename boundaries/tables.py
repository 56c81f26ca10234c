"""The ``boundaries`` schema: INEGI geography and census, CONAPO marginality, SEPOMEX.

Declared once here for queries; created by the Alembic migrations in ``migrations/versions``.
Column names follow the official products in lower case (``cvegeo``, ``pobtot``, ``gm``...).
"""

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(schema="boundaries")

GRADES = ("Muy bajo", "Bajo", "Medio", "Alto", "Muy alto")
"""CONAPO marginality grades from least to most marginalised."""

estado = Table(
    "estado",
    metadata,
    Column("cve_ent", String(2), primary_key=True),
    Column("nom_ent", Text, nullable=False),
    Column("pob_2020", Integer),
    Column("viv_2020", Integer),
    Column("geom", Geometry("MULTIPOLYGON", 4326, spatial_index=False), nullable=False),
)

municipio = Table(
    "municipio",
    metadata,
    Column("cvegeo", String(5), primary_key=True),
    Column("cve_ent", String(2), nullable=False),
    Column("cve_mun", String(3), nullable=False),
    Column("nom_mun", Text, nullable=False),
    Column("pob_2020", Integer),
    Column("viv_2020", Integer),
    Column("distrito", Text),
    Column("region", Text),
    Column("geom", Geometry("MULTIPOLYGON", 4326, spatial_index=False), nullable=False),
)

localidad = Table(
    "localidad",
    metadata,
    Column("cvegeo", String(9), primary_key=True),
    Column("cve_ent", String(2), nullable=False),
    Column("cve_mun", String(3), nullable=False),
    Column("cve_loc", String(4), nullable=False),
    Column("cvegeo_mun", String(5), nullable=False),
    Column("nom_loc", Text, nullable=False),
    Column("altitud", Integer),
    Column("pobtot", Integer, nullable=False),
    Column("pobfem", Integer),
    Column("pobmas", Integer),
    Column("pob0_14", Integer),
    Column("pob15_64", Integer),
    Column("pob65_mas", Integer),
    Column("indicadores", JSONB, nullable=False),
    Column("mun_espacial", String(5)),
    Column("fuera_de_municipio", Boolean, nullable=False),
    Column("geom", Geometry("POINT", 4326, spatial_index=False), nullable=False),
)

poblacion_edad = Table(
    "poblacion_edad",
    metadata,
    Column("cvegeo", String(9), primary_key=True),
    Column("edad_min", SmallInteger, primary_key=True),
    Column("edad_max", SmallInteger),
    Column("sexo", String(1), primary_key=True),
    Column("poblacion", Integer),
)

localidad_poligono = Table(
    "localidad_poligono",
    metadata,
    Column("cvegeo", String(9), primary_key=True),
    Column("cve_ent", String(2), nullable=False),
    Column("cve_mun", String(3), nullable=False),
    Column("cve_loc", String(4), nullable=False),
    Column("nom_loc", Text),
    Column("ambito", Text),
    Column("pob_2020", Integer),
    Column("viv_2020", Integer),
    Column("mun_espacial", String(5)),
    Column("fuera_de_municipio", Boolean, nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", 4326, spatial_index=False), nullable=False),
)


municipio_generalizado = Table(
    "municipio_generalizado",
    metadata,
    Column("zoom", SmallInteger, primary_key=True, autoincrement=False),
    Column("cvegeo", String(5), primary_key=True),
    Column("tolerancia_m", Float, nullable=False),
    Column("geom_mercator", Geometry("MULTIPOLYGON", 3857, spatial_index=False), nullable=False),
    Column(
        "geom",
        Geometry("MULTIPOLYGON", 4326, spatial_index=False),
        Computed("ST_Transform(geom_mercator, 4326)", persisted=True),
    ),
)
"""Municipalities simplified once per zoom level as a coverage: neighbours keep sharing their
edges at every level (no gaps, no overlaps). ``tolerancia_m`` is in Web Mercator metres (one
unit of a 4096-unit tile at ``zoom``); tiles read ``geom_mercator``, exports ``geom``. Filled by
:mod:`boundaries.generalise` with each load."""


agregado_generalizado = Table(
    "agregado_generalizado",
    metadata,
    Column("nivel", Text, primary_key=True),
    Column("clave", Text, primary_key=True),
    Column("zoom", SmallInteger, primary_key=True, autoincrement=False),
    Column("geom_mercator", Geometry("MULTIPOLYGON", 3857, spatial_index=False), nullable=False),
    Column(
        "geom",
        Geometry("MULTIPOLYGON", 4326, spatial_index=False),
        Computed("ST_Transform(geom_mercator, 4326)", persisted=True),
    ),
)
"""Districts, regions and states (``nivel`` ``distrito``, ``region``, ``estado``): the union of
their municipalities of ``municipio_generalizado`` at each zoom, built with them at load, so
that no request dissolves 570 polygons and their edges are the municipalities' own."""


def _marginality(name: str, key: str, width: int, *extra: Column[Any]) -> Table:
    """A CONAPO index table: key and year, the index (``im``), grade (``gm``), normalised index
    (``imn``) and the published indicators (``indicadores``)."""
    return Table(
        name,
        metadata,
        Column(key, String(width), primary_key=True),
        Column("anio", SmallInteger, primary_key=True),
        *extra,
        Column("im", Float),
        Column("gm", Text),
        Column("imn", Float),
        Column("indicadores", JSONB, nullable=False),
    )


marginacion_municipal = _marginality(
    "marginacion_municipal", "cvegeo", 5, Column("pob_tot", Integer)
)
marginacion_ageb = _marginality(
    "marginacion_ageb",
    "cve_ageb",
    13,
    Column("cvegeo_loc", String(9), nullable=False),
    Column("pob_total", Integer),
)
marginacion_localidad = _marginality(
    "marginacion_localidad", "cvegeo", 9, Column("pob_tot", Integer)
)

marginacion_mejor = Table(
    "marginacion_mejor",
    metadata,
    Column("cvegeo", String(9), primary_key=True),
    Column("anio", SmallInteger, nullable=False),
    Column("gm", Text),
    Column("im", Float),
    Column("fuente", Text, nullable=False),
)
"""Best available marginality per locality: IML, else population-weighted IMU, else IMM."""

codigo_postal = Table(
    "codigo_postal",
    metadata,
    Column("cp", String(5), primary_key=True),
    Column("id_asenta_cpcons", String(4), primary_key=True),
    Column("asentamiento", Text, nullable=False),
    Column("tipo_asentamiento", Text),
    Column("municipio", Text),
    Column("cvegeo_mun", String(5), nullable=False),
    Column("zona", Text),
    Column("ciudad", Text),
)

carga_referencia = Table(
    "carga_referencia",
    metadata,
    Column("producto", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("filas", BigInteger, nullable=False),
    Column("cargado_en", DateTime(timezone=True), nullable=False),
)
"""Which source file each product was last loaded from: loading the same file again is a no-op."""
