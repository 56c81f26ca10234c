-- Everything the field check needs about the point (:lon, :lat), in one statement and one JSON
-- object: the municipality (through its subdivided pieces) and the locality polygon that
-- contain it; when no municipality does, the municipality the usual slips would put it in (the
-- sign of the longitude dropped: (-lon, lat); the two swapped: (lat, lon)); for coordinates in
-- range, the :n nearest localities with their distance in metres (nearest first) and, when a
-- place :cvegeo is declared, whether the point agrees with it by the rules of geocode.sql: a
-- locality (9 digits) within :radio metres of its INEGI point or :margen metres of its polygon,
-- a municipality (5) within :margen metres. An unknown declared place gives a null
-- "declarada". A CASE only runs the lookups its branch needs.
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g,
                  abs(:lon) <= 180 AND abs(:lat) <= 90 AS en_rango)
SELECT json_build_object(
    'cvegeo', m.cvegeo,
    'nom_mun', m.nom_mun,
    'poligono',
    (SELECT lp.cvegeo FROM boundaries.localidad_poligono lp WHERE ST_Covers(lp.geom, p.g) LIMIT 1),
    'con_signo',
    CASE WHEN m.cvegeo IS NULL AND :lon > 0 THEN
        (SELECT s.clave FROM boundaries.municipio_subdividido s
         WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(-:lon, :lat), 4326)) LIMIT 1)
    END,
    'invertida',
    CASE WHEN m.cvegeo IS NULL THEN
        (SELECT s.clave FROM boundaries.municipio_subdividido s
         WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(:lat, :lon), 4326)) LIMIT 1)
    END,
    'cercanas',
    CASE WHEN p.en_rango THEN
        (SELECT coalesce(json_agg(c ORDER BY c.distancia_m, c.cvegeo), '[]')
         FROM (SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot,
                      round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m
               FROM boundaries.localidad l ORDER BY l.geom <-> p.g LIMIT :n) c)
    END,
    'declarada',
    CASE WHEN NOT p.en_rango THEN NULL
         WHEN length(CAST(:cvegeo AS text)) = 9 THEN
        (SELECT json_build_object(
                    'cvegeo', l.cvegeo, 'nombre', l.nom_loc,
                    'distancia_m', round(ST_Distance(l.geom::geography, p.g::geography))::int,
                    'coincide', ST_DWithin(l.geom::geography, p.g::geography, :radio)
                        OR coalesce(ST_DWithin(lp.geom, p.g, :margen / 111320.0), false))
         FROM boundaries.localidad l
         LEFT JOIN boundaries.localidad_poligono lp ON lp.cvegeo = l.cvegeo
         WHERE l.cvegeo = :cvegeo)
         WHEN length(CAST(:cvegeo AS text)) = 5 THEN
        (SELECT json_build_object(
                    'cvegeo', mu.cvegeo, 'nombre', mu.nom_mun,
                    'coincide', EXISTS (
                        SELECT 1 FROM boundaries.municipio_subdividido s
                        WHERE s.clave = mu.cvegeo
                          AND ST_DWithin(s.geom, p.g, :margen / 111320.0)))
         FROM boundaries.municipio mu WHERE mu.cvegeo = :cvegeo)
    END)
FROM p
LEFT JOIN LATERAL (
    SELECT mu.cvegeo, mu.nom_mun FROM boundaries.municipio_subdividido s
    JOIN boundaries.municipio mu ON mu.cvegeo = s.clave
    WHERE ST_Covers(s.geom, p.g) LIMIT 1
) m ON true
