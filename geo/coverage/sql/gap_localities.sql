-- Every locality with its census groups (as JSON text) and marginality: what the gap ranking
-- filters and sorts in memory.
SELECT clave AS cvegeo, nombre AS nom_loc, cvegeo_mun, nom_mun, distrito, region, pobtot, gm,
       grado_orden, fuente_marginacion, anio_marginacion, poblacion::text AS poblacion
FROM analisis.area WHERE nivel = 'localidad'
