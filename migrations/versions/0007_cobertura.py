"""Coverage analysis: schema analisis with areas, coverage per program and period, program
combinations per area, and the bookkeeping of incremental refreshes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS analisis")
    # CONAPO grades in order, for ranking: 0 no grade, 1 Muy bajo ... 5 Muy alto.
    op.execute(
        """
        CREATE FUNCTION analisis.grado_orden(gm text) RETURNS smallint
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT (CASE gm WHEN 'Muy bajo' THEN 1 WHEN 'Bajo' THEN 2 WHEN 'Medio' THEN 3
                            WHEN 'Alto' THEN 4 WHEN 'Muy alto' THEN 5 ELSE 0 END)::smallint
        $$
        """
    )
    op.create_table(
        "area",
        sa.Column("nivel", sa.Text, primary_key=True),
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("nombre", sa.Text, nullable=False),
        sa.Column("cvegeo_mun", sa.String(5)),
        sa.Column("nom_mun", sa.Text),
        sa.Column("distrito", sa.Text),
        sa.Column("region", sa.Text),
        sa.Column("pobtot", sa.Integer, nullable=False),
        sa.Column("poblacion", JSONB, nullable=False),
        sa.Column("gm", sa.Text),
        sa.Column("grado_orden", sa.SmallInteger, nullable=False),
        sa.Column("fuente_marginacion", sa.Text),
        sa.Column("anio_marginacion", sa.SmallInteger),
        sa.Column("geom", Geometry("GEOMETRY", 4326, spatial_index=False), nullable=False),
        sa.CheckConstraint(
            "nivel IN ('localidad', 'municipio', 'distrito', 'region')", name="area_nivel"
        ),
        schema="analisis",
    )
    op.create_index("area_geom", "area", ["geom"], schema="analisis", postgresql_using="gist")
    op.create_table(
        "cobertura",
        sa.Column("programa", sa.Text, primary_key=True),
        sa.Column("periodo", sa.Text, primary_key=True),
        sa.Column("nivel", sa.Text, primary_key=True),
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("personas", sa.Integer, nullable=False),
        sa.Column("registros", sa.Integer, nullable=False),
        sa.Column("importe", sa.Numeric(16, 2), nullable=False),
        sa.Column("grupo", sa.Text),
        sa.Column("poblacion_grupo", sa.Float),
        sa.Column("cobertura", sa.Float),
        schema="analisis",
    )
    op.create_index(
        "cobertura_nivel", "cobertura", ["nivel", "programa", "periodo"], schema="analisis"
    )
    op.create_table(
        "combinacion",
        sa.Column("periodo", sa.Text, primary_key=True),
        sa.Column("nivel", sa.Text, primary_key=True),
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("programas", ARRAY(sa.Text), primary_key=True),
        sa.Column("personas", sa.Integer, nullable=False),
        schema="analisis",
    )
    op.create_table(
        "refresco",
        sa.Column("programa", sa.Text, primary_key=True),
        sa.Column("periodo", sa.Text, primary_key=True),
        sa.Column("cargas", ARRAY(sa.BigInteger), nullable=False),
        sa.Column("grupo", sa.Text),
        sa.Column("registros", sa.Integer, nullable=False),
        sa.Column("refrescado_en", sa.DateTime(timezone=True), nullable=False),
        schema="analisis",
    )
    op.create_table(
        "refresco_carga",
        sa.Column("carga_id", sa.BigInteger, primary_key=True),
        sa.Column("programa", sa.Text, nullable=False),
        sa.Column("periodos", ARRAY(sa.Text), nullable=False),
        sa.Column("huella", sa.Text, nullable=False),
        sa.Column("refrescado_en", sa.DateTime(timezone=True), nullable=False),
        schema="analisis",
    )
    # For QGIS: coverage rows with their area's geometry and reference columns.
    op.execute(
        """
        CREATE VIEW analisis.cobertura_mapa AS
        SELECT c.*, a.nombre, a.cvegeo_mun, a.distrito, a.region, a.pobtot, a.gm,
               a.fuente_marginacion, a.anio_marginacion, a.geom
        FROM analisis.cobertura c JOIN analisis.area a USING (nivel, clave)
        """
    )


def downgrade() -> None:
    op.execute("DROP SCHEMA analisis CASCADE")
