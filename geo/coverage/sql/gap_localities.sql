-- Every locality with its census groups (as JSON text) and marginality: what the gap ranking
-- filters and sorts in memory, and INEGI's point of each (the ranking as map features).
SELECT clave AS cvegeo, nombre AS nom_loc, cvegeo_mun, nom_mun, distrito, region, pobtot, gm,
       grado_orden, fuente_marginacion, anio_marginacion, poblacion::text AS poblacion,
       round(ST_X(geom)::numeric, 6)::float8 AS lon, round(ST_Y(geom)::numeric, 6)::float8 AS lat
FROM analisis.area WHERE nivel = 'localidad'
