-- One tile of municipal coverage: the geometry of the municipalities layer; the figures from
-- analisis.cifras_cobertura (persons of :periodo, the newest when NULL, reached by any of
-- :programas, all when NULL).
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
q AS (SELECT coalesce(CAST(:periodo AS text), (SELECT max(periodo) FROM analisis.refresco))
             AS periodo)
SELECT ST_AsMVT(f, 'cobertura_municipios', 4096, 'geom')
FROM (SELECT ST_AsMVTGeom(g.geom_mercator, t.env, 4096, 64, true) AS geom,
             a.clave AS cvegeo, a.nombre AS nom_mun, a.distrito, a.region, a.pobtot, a.gm,
             c.personas, c.cobertura
      FROM t CROSS JOIN q
      JOIN boundaries.municipio_generalizado g
        ON g.zoom = :nivel AND g.geom_mercator && t.env
      JOIN analisis.area a ON a.nivel = 'municipio' AND a.clave = g.cvegeo
      LEFT JOIN LATERAL analisis.cifras_cobertura(
          'municipio', a.clave, q.periodo, CAST(:programas AS text[])) c ON true) f
