-- Everything the field check needs about the point (:lon, :lat) in one round trip: the
-- municipality (through its subdivided pieces) and the locality polygon that contain it; when
-- no municipality does, the municipality the usual slips would put it in (the sign of the
-- longitude dropped: (-lon, lat); the two swapped: (lat, lon)); and the :n nearest localities
-- with their distance in metres (as JSON, nearest first), for coordinates in range. A CASE only
-- runs the lookups its branch needs.
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g,
                  abs(:lon) <= 180 AND abs(:lat) <= 90 AS en_rango)
SELECT m.cvegeo, m.nom_mun,
       (SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
        WHERE ST_Covers(lp.geom, p.g) LIMIT 1) AS poligono,
       CASE WHEN m.cvegeo IS NULL AND :lon > 0 THEN
           (SELECT s.clave FROM boundaries.municipio_subdividido s
            WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(-:lon, :lat), 4326)) LIMIT 1)
       END AS con_signo,
       CASE WHEN m.cvegeo IS NULL THEN
           (SELECT s.clave FROM boundaries.municipio_subdividido s
            WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(:lat, :lon), 4326)) LIMIT 1)
       END AS invertida,
       CASE WHEN p.en_rango THEN
           (SELECT coalesce(json_agg(c ORDER BY c.distancia_m, c.cvegeo), '[]')
            FROM (SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot,
                         round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m
                  FROM boundaries.localidad l ORDER BY l.geom <-> p.g LIMIT :n) c)
       END AS cercanas
FROM p
LEFT JOIN LATERAL (
    SELECT mu.cvegeo, mu.nom_mun FROM boundaries.municipio_subdividido s
    JOIN boundaries.municipio mu ON mu.cvegeo = s.clave
    WHERE ST_Covers(s.geom, p.g) LIMIT 1
) m ON true
