"""The publication: every figure that leaves the service without a login, in one place.

``analisis.cifra`` holds, per period, program (``*`` all programs, ``2+`` persons in two or
more programs, ``A|B`` persons in both), level and area, the exact figures and whether the
publication suppresses them; ``analisis.indicador`` the statewide indicators (rule violations,
repeated listings, untrusted places...) and ``analisis.bandera`` the records with each quality
flag per municipality, likewise. They are rewritten by ``geo.publish.publication.publish`` after
each coverage refresh. Schema ``publico`` holds only views of them that show a suppressed value
as NULL, the areas' public reference data and the tiles' function
(``publico.cifras_cobertura``, which replaces the exact ``analisis.cifras_cobertura`` of 0011):
what public routes read.

The coverage tables gain the state level (``estado``), the root of the hierarchy the
suppression protects, the amount of repeated listings per cell (``cobertura.importe_repetido``)
and the amount paid to each set of programs' persons (``combinacion.importe``). Areas are
emptied so that the next refresh rebuilds them and recomputes every period under the counting
rule of ``docs/coverage.md``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("area_nivel", "area", schema="analisis")
    op.create_check_constraint(
        "area_nivel",
        "area",
        "nivel IN ('localidad', 'municipio', 'distrito', 'region', 'estado')",
        schema="analisis",
    )
    op.execute("DELETE FROM analisis.area")
    op.add_column(
        "cobertura",
        sa.Column("importe_repetido", sa.Numeric(16, 2), nullable=False, server_default="0"),
        schema="analisis",
    )
    op.add_column(
        "combinacion",
        sa.Column("importe", sa.Numeric(16, 2), nullable=False, server_default="0"),
        schema="analisis",
    )
    op.create_table(
        "cifra",
        sa.Column("periodo", sa.Text, primary_key=True),
        sa.Column("programa", sa.Text, primary_key=True),
        sa.Column("nivel", sa.Text, primary_key=True),
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("personas", sa.Integer, nullable=False),
        sa.Column("importe", sa.Numeric(16, 2)),
        sa.Column("grupo", sa.Text),
        sa.Column("poblacion", sa.Float),
        sa.Column("cobertura", sa.Float),
        sa.Column("suprimida", sa.Boolean, nullable=False),
        schema="analisis",
    )
    op.create_index("cifra_nivel", "cifra", ["nivel", "periodo", "programa"], schema="analisis")
    op.create_table(
        "indicador",
        sa.Column("periodo", sa.Text, primary_key=True),
        sa.Column("programa", sa.Text, primary_key=True),
        sa.Column("indicador", sa.Text, primary_key=True),
        sa.Column("valor", sa.Numeric(18, 2), nullable=False),
        sa.Column("suprimida", sa.Boolean, nullable=False),
        schema="analisis",
    )
    op.create_table(
        "bandera",
        sa.Column("cvegeo_mun", sa.String(5), primary_key=True),
        sa.Column("bandera", sa.Text, primary_key=True),
        sa.Column("registros", sa.Integer, nullable=False),
        sa.Column("suprimida", sa.Boolean, nullable=False),
        schema="analisis",
    )
    op.create_table(
        "publicacion",
        sa.Column("id", sa.Boolean, primary_key=True, server_default=sa.true()),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("huella", sa.Text, nullable=False),
        sa.Column("publicado_en", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id", name="publicacion_una"),
        schema="analisis",
    )
    op.execute("CREATE SCHEMA publico")
    op.execute(
        """
        CREATE VIEW publico.cifra AS
        SELECT periodo, programa, nivel, clave,
               CASE WHEN NOT suprimida THEN personas END AS personas,
               CASE WHEN NOT suprimida THEN importe END AS importe,
               grupo, poblacion,
               CASE WHEN NOT suprimida THEN cobertura END AS cobertura,
               suprimida
        FROM analisis.cifra
        """
    )
    op.execute(
        """
        CREATE VIEW publico.indicador AS
        SELECT periodo, programa, indicador, CASE WHEN NOT suprimida THEN valor END AS valor,
               suprimida
        FROM analisis.indicador
        """
    )
    op.execute(
        """
        CREATE VIEW publico.bandera AS
        SELECT cvegeo_mun, bandera, CASE WHEN NOT suprimida THEN registros END AS registros,
               suprimida
        FROM analisis.bandera
        """
    )
    op.execute(
        "CREATE VIEW publico.publicacion AS SELECT k, publicado_en FROM analisis.publicacion"
    )
    op.execute(
        """
        CREATE VIEW publico.area AS
        SELECT nivel, clave, nombre, cvegeo_mun, nom_mun, distrito, region, pobtot, poblacion, gm,
               grado_orden, fuente_marginacion, anio_marginacion, geom
        FROM analisis.area
        """
    )
    op.execute("DROP FUNCTION analisis.cifras_cobertura(text, text[], text, text[])")
    op.execute(
        """
        CREATE FUNCTION publico.cifras_cobertura(
            p_nivel text, p_claves text[], p_periodo text, p_programas text[]
        ) RETURNS TABLE (clave text, personas integer, cobertura double precision)
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
            -- Published figures of the areas p_claves of level p_nivel for the coverage tiles:
            -- persons of the period, of one program or of all of them (NULL, or every program
            -- of the period), and their share of the census population; NULL where suppressed.
            -- No row for a set of programs that is not published (single programs and all of
            -- them are) or a period not published. A locality without a row had no persons: 0.
            -- Set-based (one call per tile, inlined by the planner).
            SELECT a.clave,
                   CASE WHEN c.suprimida THEN NULL ELSE coalesce(c.personas, 0) END,
                   CASE WHEN c.suprimida THEN NULL
                        ELSE round(coalesce(c.personas, 0)::numeric / nullif(a.pobtot, 0), 5)
                   END::double precision
            FROM publico.area a
            JOIN publico.cifra s
              ON s.periodo = p_periodo AND s.nivel = 'estado'
             AND s.programa = CASE
                 WHEN cardinality(p_programas) = 1 THEN p_programas[1]
                 WHEN p_programas IS NULL OR NOT EXISTS (
                     SELECT FROM publico.cifra x
                     WHERE x.periodo = p_periodo AND x.nivel = 'estado'
                       AND x.programa ~ '^[A-Z0-9_-]+$' AND x.programa <> ALL(p_programas))
                 THEN '*' END
            LEFT JOIN publico.cifra c
                   ON c.periodo = p_periodo AND c.nivel = a.nivel AND c.clave = a.clave
                  AND c.programa = s.programa
            WHERE a.nivel = p_nivel AND a.clave = ANY (p_claves)
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP SCHEMA publico CASCADE")
    op.execute(
        """
        CREATE FUNCTION analisis.cifras_cobertura(
            p_nivel text, p_claves text[], p_periodo text, p_programas text[]
        ) RETURNS TABLE (clave text, personas integer, cobertura double precision)
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
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
    for table in ("publicacion", "bandera", "indicador", "cifra"):
        op.drop_table(table, schema="analisis")
    op.drop_column("combinacion", "importe", schema="analisis")
    op.drop_column("cobertura", "importe_repetido", schema="analisis")
    op.execute("DELETE FROM analisis.area WHERE nivel = 'estado'")
    op.drop_constraint("area_nivel", "area", schema="analisis")
    op.create_check_constraint(
        "area_nivel",
        "area",
        "nivel IN ('localidad', 'municipio', 'distrito', 'region')",
        schema="analisis",
    )
