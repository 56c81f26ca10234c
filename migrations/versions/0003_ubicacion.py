"""Geocoding: comparable place names, subdivided polygons, and padron.ubicacion.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    # unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes the
    # wrapper safe to declare IMMUTABLE, so it can feed generated columns and indexes.
    op.execute(
        """
        CREATE FUNCTION boundaries.nombre_clave(texto text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
            SELECT nullif(btrim(regexp_replace(
                upper(public.unaccent('public.unaccent'::regdictionary, texto)),
                '[^A-Z0-9]+', ' ', 'g')), '')
        $$
        """
    )
    # Municipal names carry honorifics rosters drop ("Heroica Ciudad de Juchitán de Zaragoza").
    op.execute(
        """
        CREATE FUNCTION boundaries.nombre_nucleo(texto text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
            SELECT regexp_replace(boundaries.nombre_clave(texto),
                '^(HEROICA )?(CIUDAD |VILLA )?(DE )?', '')
        $$
        """
    )
    for table, column in (("municipio", "nom_mun"), ("localidad", "nom_loc")):
        op.execute(
            f"ALTER TABLE boundaries.{table} ADD COLUMN nom_clave text "
            f"GENERATED ALWAYS AS (boundaries.nombre_clave({column})) STORED"
        )
    op.execute(
        "ALTER TABLE boundaries.municipio ADD COLUMN nom_nucleo text "
        "GENERATED ALWAYS AS (boundaries.nombre_nucleo(nom_mun)) STORED"
    )
    op.create_index(
        "localidad_mun_nombre", "localidad", ["cvegeo_mun", "nom_clave"], schema="boundaries"
    )
    # Point-in-polygon on 570 detailed municipalities is the hot path of geocoding: pieces of
    # at most 256 vertices make each test cheap and the GiST index selective.
    for name, source in (("municipio", "boundaries.municipio"), ("estado", "boundaries.estado")):
        key = "cvegeo" if name == "municipio" else "cve_ent"
        op.execute(
            f"CREATE MATERIALIZED VIEW boundaries.{name}_subdividido AS "
            f"SELECT {key} AS clave, ST_Subdivide(geom, 256) AS geom FROM {source}"
        )
        op.execute(
            f"CREATE INDEX {name}_subdividido_geom ON boundaries.{name}_subdividido "
            "USING gist (geom)"
        )
        op.execute(
            f"CREATE INDEX {name}_subdividido_clave ON boundaries.{name}_subdividido (clave)"
        )

    op.create_table(
        "ubicacion",
        sa.Column("registro_id", sa.BigInteger, primary_key=True),
        sa.Column(
            "carga_id",
            sa.BigInteger,
            sa.ForeignKey("padron.carga.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("cvegeo_mun", sa.String(5)),
        sa.Column("cvegeo_loc", sa.String(9)),
        sa.Column("precision", sa.Text, nullable=False),
        sa.Column("confianza", sa.Float, nullable=False),
        sa.Column("banderas", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("POINT", 4326, spatial_index=False)),
        sa.CheckConstraint(
            "precision IN ('croquis','croquis_corregido','localidad','municipio','sin_ubicar',"
            "'verificado_campo')",
            name="ubicacion_precision",
        ),
        schema="padron",
    )
    op.create_index("ubicacion_carga", "ubicacion", ["carga_id"], schema="padron")
    op.create_index("ubicacion_loc", "ubicacion", ["cvegeo_loc"], schema="padron")
    op.create_index(
        "ubicacion_geom", "ubicacion", ["geom"], schema="padron", postgresql_using="gist"
    )


def downgrade() -> None:
    op.drop_table("ubicacion", schema="padron")
    op.execute("DROP MATERIALIZED VIEW boundaries.estado_subdividido")
    op.execute("DROP MATERIALIZED VIEW boundaries.municipio_subdividido")
    op.execute("ALTER TABLE boundaries.municipio DROP COLUMN nom_nucleo, DROP COLUMN nom_clave")
    op.execute("ALTER TABLE boundaries.localidad DROP COLUMN nom_clave")
    op.execute("DROP FUNCTION boundaries.nombre_nucleo(text)")
    op.execute("DROP FUNCTION boundaries.nombre_clave(text)")
