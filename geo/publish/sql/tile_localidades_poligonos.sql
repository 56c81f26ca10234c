-- One tile of locality polygons (urban and rural areas of the Marco Geoestadístico), read from
-- their stored Web Mercator copy and clipped by ST_AsMVTGeom.
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env)
SELECT ST_AsMVT(f, 'localidades_poligonos', 4096, 'geom')
FROM (SELECT ST_AsMVTGeom(p.geom_mercator, t.env, 4096, 64, true) AS geom,
             p.cvegeo, p.nom_loc, p.cve_ent || p.cve_mun AS cvegeo_mun, p.ambito, p.pob_2020,
             p.viv_2020
      FROM t
      JOIN boundaries.localidad_poligono p ON p.geom_mercator && t.env) f
