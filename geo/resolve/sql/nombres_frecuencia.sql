-- Given names by sex over every record (geo.resolve.match.NameFrequencies).
SELECT sexo, nombre_norm, count(*) FROM padron.registro
WHERE sexo IS NOT NULL AND nombre_norm IS NOT NULL
GROUP BY 1, 2
