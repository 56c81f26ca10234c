-- The municipality (through its subdivided pieces) and the locality polygon that contain
-- the point (:lon, :lat); null columns where none does.
SELECT m.cvegeo, m.nom_mun,
       (SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
        WHERE ST_Covers(lp.geom, p.g) LIMIT 1) AS poligono
FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p
LEFT JOIN LATERAL (
    SELECT mu.cvegeo, mu.nom_mun FROM boundaries.municipio_subdividido s
    JOIN boundaries.municipio mu ON mu.cvegeo = s.clave
    WHERE ST_Covers(s.geom, p.g) LIMIT 1
) m ON true
