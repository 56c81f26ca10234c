-- Whether the point (:lon, :lat) agrees with the declared locality :cvegeo: within :radio
-- metres of its INEGI point, or :margen metres of its polygon (the rules of geocode.sql).
SELECT l.cvegeo, l.nom_loc,
       round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m,
       ST_DWithin(l.geom::geography, p.g::geography, :radio)
         OR coalesce(ST_DWithin(lp.geom, p.g, :margen / 111320.0), false) AS coincide
FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p
JOIN boundaries.localidad l ON l.cvegeo = :cvegeo
LEFT JOIN boundaries.localidad_poligono lp ON lp.cvegeo = l.cvegeo
