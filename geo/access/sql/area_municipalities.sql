-- The municipalities of a user's area (:municipios, null for all), by name.
SELECT m.cvegeo, m.nom_mun
FROM boundaries.municipio m
WHERE CAST(:municipios AS text[]) IS NULL OR m.cvegeo = ANY(CAST(:municipios AS text[]))
ORDER BY m.nom_mun, m.cvegeo
