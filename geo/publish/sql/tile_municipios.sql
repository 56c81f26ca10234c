-- One tile of municipalities: the generalisation of the tile's zoom (prepared at load, in Web
-- Mercator, found by the (zoom, geometry) index), clipped by ST_AsMVTGeom; nothing else is
-- computed per row. Rows whose geometry vanishes in the tile are skipped by ST_AsMVT.
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env)
SELECT ST_AsMVT(f, 'municipios', 4096, 'geom')
FROM (SELECT ST_AsMVTGeom(g.geom_mercator, t.env, 4096, 64, true) AS geom,
             m.cvegeo, m.nom_mun, m.region, m.distrito, m.pob_2020, imm.gm, imm.im
      FROM t
      JOIN boundaries.municipio_generalizado g
        ON g.zoom = :nivel AND g.geom_mercator && t.env
      JOIN boundaries.municipio m ON m.cvegeo = g.cvegeo
      LEFT JOIN LATERAL (SELECT x.gm, x.im FROM boundaries.marginacion_municipal x
                         WHERE x.cvegeo = m.cvegeo ORDER BY x.anio DESC LIMIT 1) imm ON true) f
