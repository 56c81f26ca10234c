-- One tile of municipal coverage: the geometry of the municipalities layer; the figures from
-- publico.cifras_cobertura for the tile's municipalities (persons of :periodo, the newest when
-- NULL, reached by any of :programas, all when NULL).
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
formas AS MATERIALIZED (
    SELECT g.cvegeo::text AS clave, ST_AsMVTGeom(g.geom_mercator, t.env, 4096, 64, true) AS geom
    FROM t
    JOIN boundaries.municipio_generalizado g ON g.zoom = :nivel AND g.geom_mercator && t.env
),
pedido AS (
    SELECT array_agg(clave) AS claves,
           coalesce(CAST(:periodo AS text), (SELECT max(periodo) FROM analisis.refresco)) AS periodo
    FROM formas
),
cifras AS MATERIALIZED (
    -- Arguments from a lateral row, not subqueries: the planner then inlines the function.
    -- MATERIALIZED: computed once; the generic plan a pooled connection settles on guesses one
    -- municipality per tile and otherwise reran it for each (a second for a zoom-6 tile).
    SELECT c.* FROM pedido,
    LATERAL publico.cifras_cobertura('municipio', pedido.claves, pedido.periodo,
                                      CAST(:programas AS text[])) c
)
SELECT ST_AsMVT(f, 'cobertura_municipios', 4096, 'geom')
FROM (SELECT p.geom, a.clave AS cvegeo, a.nombre AS nom_mun, a.distrito, a.region, a.pobtot,
             a.gm, c.personas, c.cobertura
      FROM formas p
      JOIN analisis.area a ON a.nivel = 'municipio' AND a.clave = p.clave
      LEFT JOIN cifras c ON c.clave = p.clave) f
