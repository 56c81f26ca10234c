-- Records with folio :folio, CURP :curp, or every word of a name (:palabras, LIKE patterns
-- '% WORD %' over the normalised given names and surnames), optionally placed (or declared)
-- in locality :localidad, in the user's area (:municipios, null for all): a record's
-- municipality is where geocoding placed it, else the one it declared.
SELECT r.id AS registro_id, r.programa, r.periodo, r.folio, r.curp,
       r.nombre, r.primer_ap, r.segundo_ap, r.nom_mun, r.nom_loc
FROM padron.registro r
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE (r.folio = :folio OR r.curp = :curp
       OR (CAST(:palabras AS text[]) IS NOT NULL
           AND ' ' || concat_ws(' ', r.nombre_norm, r.primer_ap_norm, r.segundo_ap_norm) || ' '
               LIKE ALL (CAST(:palabras AS text[]))))
  AND (CAST(:localidad AS text) IS NULL
       OR coalesce(u.cvegeo_loc, r.cve_ent || r.cve_mun || r.cve_loc) = :localidad)
  AND (CAST(:municipios AS text[]) IS NULL
       OR coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) = ANY(CAST(:municipios AS text[])))
ORDER BY r.primer_ap, r.segundo_ap, r.nombre, r.programa, r.periodo, r.id
LIMIT 50
