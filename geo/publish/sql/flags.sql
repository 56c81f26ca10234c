-- Records with each quality flag (ingest and geocoding) per municipality: the geocoded one,
-- else the declared one; records of no municipality of the state are left out.
SELECT m.cvegeo AS cvegeo_mun, f.bandera, count(*)::int AS registros
FROM padron.registro r
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
CROSS JOIN LATERAL unnest(r.banderas || coalesce(u.banderas, '{}')) AS f (bandera)
JOIN boundaries.municipio m ON m.cvegeo = coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun)
GROUP BY 1, 2
