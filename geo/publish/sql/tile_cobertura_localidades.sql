-- One tile of locality coverage: the points of the localities layer; the figures from
-- publico.cifras_cobertura for the tile's localities, in one set-based call. Dense tiles carry
-- aggregates as in tile_localidades.sql (a cell's persons are their sum, unknown when any of
-- its localities has none).
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
lugares AS MATERIALIZED (
    SELECT l.cvegeo::text AS clave, ST_AsMVTGeom(l.geom_mercator, t.env, 4096, 0, false) AS geom
    FROM t
    JOIN boundaries.localidad l ON l.geom_mercator && t.env
),
pedido AS (
    SELECT array_agg(clave) AS claves,
           coalesce(CAST(:periodo AS text), (SELECT max(periodo) FROM analisis.refresco)) AS periodo
    FROM lugares
),
cifras AS (
    -- Arguments from a lateral row, not subqueries: the planner then inlines the function.
    SELECT c.* FROM pedido,
    LATERAL publico.cifras_cobertura('localidad', pedido.claves, pedido.periodo,
                                      CAST(:programas AS text[])) c
),
puntos AS MATERIALIZED (
    SELECT p.geom, a.clave AS cvegeo, a.nombre AS nom_loc, a.nom_mun, a.pobtot, a.gm,
           a.fuente_marginacion AS fuente, c.personas, c.cobertura
    FROM lugares p
    JOIN analisis.area a ON a.nivel = 'localidad' AND a.clave = p.clave
    LEFT JOIN cifras c ON c.clave = p.clave
)
SELECT ST_AsMVT(f, 'cobertura_localidades', 4096, 'geom')
FROM (SELECT p.geom, p.cvegeo, p.nom_loc, p.nom_mun, p.pobtot, p.gm, p.fuente, p.personas,
             p.cobertura, 1 AS n
      FROM puntos p
      WHERE (SELECT count(*) FROM puntos) <= :max_puntos
      UNION ALL
      SELECT ST_Point(round(avg(ST_X(p.geom))), round(avg(ST_Y(p.geom)))),
             CASE WHEN count(*) = 1 THEN min(p.cvegeo) END,
             CASE WHEN count(*) = 1 THEN min(p.nom_loc) END,
             CASE WHEN count(*) = 1 THEN min(p.nom_mun) END,
             sum(p.pobtot)::integer,
             CASE WHEN count(*) = 1 THEN min(p.gm) END,
             CASE WHEN count(*) = 1 THEN min(p.fuente) END,
             CASE WHEN count(p.personas) = count(*) THEN sum(p.personas)::integer END,
             CASE WHEN count(p.personas) = count(*)
                  THEN round(sum(p.personas)::numeric / nullif(sum(p.pobtot), 0), 5)::float8 END,
             count(*)::integer
      FROM puntos p
      WHERE (SELECT count(*) FROM puntos) > :max_puntos
      GROUP BY floor(ST_X(p.geom) / :celda), floor(ST_Y(p.geom) / :celda)) f
