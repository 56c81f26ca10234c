"""Boundaries schema: INEGI geography and census, CONAPO marginality, SEPOMEX.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "boundaries"


def _geom(kind: str) -> sa.Column:
    return sa.Column("geom", Geometry(kind, 4326, spatial_index=False), nullable=False)


def _gist(table: str) -> None:
    op.create_index(f"{table}_geom_gist", table, ["geom"], schema=S, postgresql_using="gist")


def _marginality(name: str, key: str, width: int, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column(key, sa.String(width), primary_key=True),
        sa.Column("anio", sa.SmallInteger, primary_key=True),
        *extra,
        sa.Column("im", sa.Float),
        sa.Column("gm", sa.Text),
        sa.Column("imn", sa.Float),
        sa.Column("indicadores", JSONB, nullable=False),
        sa.CheckConstraint(
            "gm IS NULL OR gm IN ('Muy bajo','Bajo','Medio','Alto','Muy alto')", name=f"{name}_gm"
        ),
        schema=S,
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {S}")

    op.create_table(
        "estado",
        sa.Column("cve_ent", sa.String(2), primary_key=True),
        sa.Column("nom_ent", sa.Text, nullable=False),
        sa.Column("pob_2020", sa.Integer),
        sa.Column("viv_2020", sa.Integer),
        _geom("MULTIPOLYGON"),
        schema=S,
    )
    _gist("estado")

    op.create_table(
        "municipio",
        sa.Column("cvegeo", sa.String(5), primary_key=True),
        sa.Column("cve_ent", sa.String(2), nullable=False),
        sa.Column("cve_mun", sa.String(3), nullable=False),
        sa.Column("nom_mun", sa.Text, nullable=False),
        sa.Column("pob_2020", sa.Integer),
        sa.Column("viv_2020", sa.Integer),
        sa.Column("distrito", sa.Text),
        sa.Column("region", sa.Text),
        _geom("MULTIPOLYGON"),
        sa.CheckConstraint(
            "cvegeo ~ '^[0-9]{5}$' AND cvegeo = cve_ent || cve_mun", name="municipio_key"
        ),
        schema=S,
    )
    _gist("municipio")

    op.create_table(
        "localidad",
        sa.Column("cvegeo", sa.String(9), primary_key=True),
        sa.Column("cve_ent", sa.String(2), nullable=False),
        sa.Column("cve_mun", sa.String(3), nullable=False),
        sa.Column("cve_loc", sa.String(4), nullable=False),
        sa.Column("cvegeo_mun", sa.String(5), nullable=False),
        sa.Column("nom_loc", sa.Text, nullable=False),
        sa.Column("altitud", sa.Integer),
        sa.Column("pobtot", sa.Integer, nullable=False),
        sa.Column("pobfem", sa.Integer),
        sa.Column("pobmas", sa.Integer),
        sa.Column("pob0_14", sa.Integer),
        sa.Column("pob15_64", sa.Integer),
        sa.Column("pob65_mas", sa.Integer),
        sa.Column("indicadores", JSONB, nullable=False),
        sa.Column("mun_espacial", sa.String(5)),
        sa.Column("fuera_de_municipio", sa.Boolean, nullable=False),
        _geom("POINT"),
        sa.CheckConstraint(
            "cvegeo ~ '^[0-9]{9}$' AND cvegeo = cve_ent || cve_mun || cve_loc "
            "AND cvegeo_mun = cve_ent || cve_mun",
            name="localidad_key",
        ),
        schema=S,
    )
    _gist("localidad")
    op.create_index("localidad_cvegeo_mun", "localidad", ["cvegeo_mun"], schema=S)

    op.create_table(
        "poblacion_edad",
        sa.Column("cvegeo", sa.String(9), primary_key=True),
        sa.Column("edad_min", sa.SmallInteger, primary_key=True),
        sa.Column("edad_max", sa.SmallInteger),
        sa.Column("sexo", sa.String(1), primary_key=True),
        sa.Column("poblacion", sa.Integer),
        sa.CheckConstraint("sexo IN ('T','F','M')", name="poblacion_edad_sexo"),
        schema=S,
    )

    op.create_table(
        "localidad_poligono",
        sa.Column("cvegeo", sa.String(9), primary_key=True),
        sa.Column("cve_ent", sa.String(2), nullable=False),
        sa.Column("cve_mun", sa.String(3), nullable=False),
        sa.Column("cve_loc", sa.String(4), nullable=False),
        sa.Column("nom_loc", sa.Text),
        sa.Column("ambito", sa.Text),
        sa.Column("pob_2020", sa.Integer),
        sa.Column("viv_2020", sa.Integer),
        sa.Column("mun_espacial", sa.String(5)),
        sa.Column("fuera_de_municipio", sa.Boolean, nullable=False),
        _geom("MULTIPOLYGON"),
        sa.CheckConstraint("cvegeo ~ '^[0-9]{9}$'", name="localidad_poligono_key"),
        schema=S,
    )
    _gist("localidad_poligono")

    _marginality("marginacion_municipal", "cvegeo", 5, sa.Column("pob_tot", sa.Integer))
    _marginality(
        "marginacion_ageb",
        "cve_ageb",
        13,
        sa.Column("cvegeo_loc", sa.String(9), nullable=False),
        sa.Column("pob_total", sa.Integer),
    )
    op.create_index("marginacion_ageb_loc", "marginacion_ageb", ["cvegeo_loc"], schema=S)
    _marginality("marginacion_localidad", "cvegeo", 9, sa.Column("pob_tot", sa.Integer))

    op.create_table(
        "marginacion_mejor",
        sa.Column("cvegeo", sa.String(9), primary_key=True),
        sa.Column("anio", sa.SmallInteger, nullable=False),
        sa.Column("gm", sa.Text),
        sa.Column("im", sa.Float),
        sa.Column("fuente", sa.Text, nullable=False),
        sa.CheckConstraint("fuente IN ('IML','IMU','IMM')", name="marginacion_mejor_fuente"),
        schema=S,
    )

    op.create_table(
        "codigo_postal",
        sa.Column("cp", sa.String(5), primary_key=True),
        sa.Column("id_asenta_cpcons", sa.String(4), primary_key=True),
        sa.Column("asentamiento", sa.Text, nullable=False),
        sa.Column("tipo_asentamiento", sa.Text),
        sa.Column("municipio", sa.Text),
        sa.Column("cvegeo_mun", sa.String(5), nullable=False),
        sa.Column("zona", sa.Text),
        sa.Column("ciudad", sa.Text),
        schema=S,
    )
    op.create_index("codigo_postal_mun", "codigo_postal", ["cvegeo_mun"], schema=S)

    op.create_table(
        "carga_referencia",
        sa.Column("producto", sa.Text, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filas", sa.BigInteger, nullable=False),
        sa.Column("cargado_en", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.execute(f"DROP SCHEMA IF EXISTS {S} CASCADE")
