-- Every area of the coverage tables, root first (state, regions, districts, municipalities,
-- localities), with the keys that place it in the hierarchy.
SELECT nivel, clave, cvegeo_mun, distrito, region, pobtot
FROM analisis.area
ORDER BY CASE nivel WHEN 'estado' THEN 0 WHEN 'region' THEN 1 WHEN 'distrito' THEN 2
                    WHEN 'municipio' THEN 3 ELSE 4 END, clave
