-- The municipality (through its subdivided pieces) that contains the point (:lon, :lat).
SELECT s.clave FROM boundaries.municipio_subdividido s
WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1
