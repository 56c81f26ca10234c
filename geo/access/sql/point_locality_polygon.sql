-- The locality polygon that contains the point (:lon, :lat).
SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
WHERE ST_Covers(lp.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1
