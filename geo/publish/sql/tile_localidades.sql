-- One tile of locality points. A tile holding more than :max_puntos points carries aggregates
-- instead of dropping any: one feature per cell of :celda tile units, at its points' mean
-- position, with n (localities) and pobtot (their population); a cell of one locality keeps
-- every attribute. The points are read once (MATERIALIZED) for the count and the features.
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
puntos AS MATERIALIZED (
    SELECT ST_AsMVTGeom(l.geom_mercator, t.env, 4096, 0, false) AS geom,
           l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot, b.gm, b.fuente
    FROM t
    JOIN boundaries.localidad l ON l.geom_mercator && t.env
    LEFT JOIN boundaries.marginacion_mejor b ON b.cvegeo = l.cvegeo
)
SELECT ST_AsMVT(f, 'localidades', 4096, 'geom')
FROM (SELECT p.geom, p.cvegeo, p.nom_loc, p.cvegeo_mun, p.pobtot, p.gm, p.fuente, 1 AS n
      FROM puntos p
      WHERE (SELECT count(*) FROM puntos) <= :max_puntos
      UNION ALL
      SELECT ST_Point(round(avg(ST_X(p.geom))), round(avg(ST_Y(p.geom)))),
             CASE WHEN count(*) = 1 THEN min(p.cvegeo) END,
             CASE WHEN count(*) = 1 THEN min(p.nom_loc) END,
             CASE WHEN count(*) = 1 THEN min(p.cvegeo_mun) END,
             sum(p.pobtot)::integer,
             CASE WHEN count(*) = 1 THEN min(p.gm) END,
             CASE WHEN count(*) = 1 THEN min(p.fuente) END,
             count(*)::integer
      FROM puntos p
      WHERE (SELECT count(*) FROM puntos) > :max_puntos
      GROUP BY floor(ST_X(p.geom) / :celda), floor(ST_Y(p.geom) / :celda)) f
