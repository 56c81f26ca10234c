-- The person's records within the user's area (:municipios, null for all; as in
-- search_records.sql): by resolved person, else by valid CURP, else the record itself.
SELECT r.id AS registro_id, r.programa, r.periodo, r.folio, r.fecha_alta, r.importe
FROM padron.registro r
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE (r.id = :registro_id
       OR r.id IN (SELECT registro_id FROM padron.asignacion WHERE persona_id = :persona_id)
       OR (CAST(:curp AS text) IS NOT NULL AND r.curp = :curp))
  AND (CAST(:municipios AS text[]) IS NULL
       OR coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) = ANY(CAST(:municipios AS text[])))
ORDER BY r.programa, r.periodo NULLS FIRST, r.id
