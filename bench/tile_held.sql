-- Features of layer :capa the database holds inside tile :z/:x/:y (bench/tiles.py): points in
-- the tile; polygons with more than one tile unit of area inside it (an edge-grazing sliver
-- may vanish in any server's tile).
WITH e AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env,
                  ((ST_XMax(ST_TileEnvelope(:z, :x, :y)) - ST_XMin(ST_TileEnvelope(:z, :x, :y)))
                   / 4096) ^ 2 AS unidad)
SELECT CASE
    WHEN :capa IN ('localidades', 'cobertura_localidades') THEN
        (SELECT count(*) FROM boundaries.localidad l, e WHERE ST_Transform(l.geom, 3857) && e.env)
    WHEN :capa IN ('municipios', 'cobertura_municipios') THEN
        (SELECT count(*) FROM boundaries.municipio m, e
         WHERE ST_Area(ST_Intersection(ST_Transform(m.geom, 3857), e.env)) > e.unidad)
    ELSE
        (SELECT count(*) FROM boundaries.localidad_poligono p, e
         WHERE ST_Area(ST_Intersection(ST_Transform(p.geom, 3857), e.env)) > e.unidad)
END
