-- Persons of period :periodo reached by any program in each municipality, against its census
-- population (the panel's coverage map).
SELECT a.clave AS cvegeo, a.nombre AS nom_mun, a.pobtot AS poblacion,
       coalesce(sum(c.personas), 0)::int AS personas
FROM analisis.area a
LEFT JOIN analisis.combinacion c
       ON c.periodo = :periodo AND c.nivel = 'municipio' AND c.clave = a.clave
WHERE a.nivel = 'municipio'
GROUP BY a.clave, a.nombre, a.pobtot
ORDER BY a.clave
