-- Localities with more persons receiving some program in period :periodo than inhabitants,
-- most over first.
SELECT a.clave AS cvegeo, a.nombre AS nom_loc, a.nom_mun, a.pobtot, x.personas
FROM (SELECT clave, sum(personas) AS personas FROM analisis.combinacion
      WHERE periodo = :periodo AND nivel = 'localidad' GROUP BY clave) x
JOIN analisis.area a ON a.nivel = 'localidad' AND a.clave = x.clave
WHERE x.personas > a.pobtot
ORDER BY x.personas - a.pobtot DESC, a.clave
