"""Map tiles prepared once: Web Mercator copies, generalised municipalities, coverage figures.

Every tile used to transform, simplify and clip whole source geometries per request. Points and
locality polygons now carry a stored Web Mercator copy (a generated column, so every load keeps
it current) with its own GiST index. Municipalities get a table of coverage-simplified copies,
one per zoom level, filled by the reference-data load (``boundaries/generalise.py``); its
``geom`` (SRID 4326) is what exports use, ``geom_mercator`` what tiles use. The index leads
with the level (btree_gist), so a tile reads only its level's rows.

``analisis.cifras_cobertura`` is the one place the coverage tiles read their numbers from: the
publication layer of public figures replaces its body (see its comment).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
    for table, kind in (("localidad", "Point"), ("localidad_poligono", "MultiPolygon")):
        op.execute(
            f"ALTER TABLE boundaries.{table} ADD COLUMN geom_mercator geometry({kind}, 3857) "
            "GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED"
        )
        op.execute(
            f"CREATE INDEX {table}_geom_mercator ON boundaries.{table} USING gist (geom_mercator)"
        )
    op.create_table(
        "municipio_generalizado",
        sa.Column("zoom", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("cvegeo", sa.String(5), primary_key=True),
        sa.Column("tolerancia_m", sa.Float, nullable=False),
        sa.Column(
            "geom_mercator",
            Geometry("MULTIPOLYGON", 3857, spatial_index=False),
            nullable=False,
        ),
        schema="boundaries",
    )
    # Tiles read these geometries whole: stored uncompressed, they are not decompressed per tile.
    for table in ("localidad_poligono", "municipio_generalizado"):
        op.execute(
            f"ALTER TABLE boundaries.{table} ALTER COLUMN geom_mercator SET STORAGE EXTERNAL"
        )
    # Derived from the Mercator copy vertex by vertex: shared vertices stay shared.
    op.execute(
        "ALTER TABLE boundaries.municipio_generalizado "
        "ADD COLUMN geom geometry(MultiPolygon, 4326) "
        "GENERATED ALWAYS AS (ST_Transform(geom_mercator, 4326)) STORED"
    )
    op.execute(
        "CREATE INDEX municipio_generalizado_zoom_geom ON boundaries.municipio_generalizado "
        "USING gist (zoom, geom_mercator)"
    )
    op.execute(
        """
        CREATE FUNCTION analisis.cifras_cobertura(
            p_nivel text, p_claves text[], p_periodo text, p_programas text[]
        ) RETURNS TABLE (clave text, personas integer, cobertura double precision)
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
            -- Exact figures of the areas p_claves of level p_nivel: persons reached in the
            -- period by any of the programs (all programs when NULL), and their share of the
            -- census population. Set-based (one call per tile, inlined by the planner). The
            -- layer of published figures redefines this function (same signature) so that
            -- public tiles carry k-suppressed numbers.
            SELECT a.clave, coalesce(sum(c.personas), 0)::integer,
                   round(coalesce(sum(c.personas), 0)::numeric / nullif(a.pobtot, 0), 5)::float8
            FROM analisis.area a
            LEFT JOIN analisis.combinacion c
              ON c.periodo = p_periodo AND c.nivel = a.nivel AND c.clave = a.clave
             AND (p_programas IS NULL OR c.programas && p_programas)
            WHERE a.nivel = p_nivel AND a.clave = ANY (p_claves)
            GROUP BY a.clave, a.pobtot
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION analisis.cifras_cobertura(text, text[], text, text[])")
    op.drop_table("municipio_generalizado", schema="boundaries")
    for table in ("localidad", "localidad_poligono"):
        op.execute(f"ALTER TABLE boundaries.{table} DROP COLUMN geom_mercator")
