-- Records with folio :folio or CURP :curp in the user's area (:municipios, null for all):
-- a record's municipality is where geocoding placed it, else the one it declared.
SELECT r.id AS registro_id, r.programa, r.periodo, r.folio, r.curp,
       r.nombre, r.primer_ap, r.segundo_ap, r.nom_mun, r.nom_loc
FROM padron.registro r
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE (r.folio = :folio OR r.curp = :curp)
  AND (CAST(:municipios AS text[]) IS NULL
       OR coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) = ANY(CAST(:municipios AS text[])))
ORDER BY r.programa, r.periodo, r.id
LIMIT 50
