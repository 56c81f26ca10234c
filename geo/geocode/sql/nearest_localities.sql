-- The :n localities nearest to the point (:lon, :lat), with their distance in metres.
SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot,
       round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m
FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p,
     LATERAL (SELECT * FROM boundaries.localidad ORDER BY geom <-> p.g LIMIT :n) l
ORDER BY distancia_m
