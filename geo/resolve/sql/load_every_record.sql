-- Every record's fields for matching (match.RECORD_SCHEMA's after id and carga_id) and whether it
-- is in the model's sample (muestra_modelo.sql), read with COPY by
-- geo.resolve.resolver.read_every_record on a connection of its own while the CURP rules run on
-- the resolution's. Its person is the one it had before them ({asignaciones}: padron.asignacion,
-- or sin_asignaciones.sql before a first load, whose rules lock that table; an assignment never
-- changes, and the records the rules assign come after, load_assignments.sql). The place as
-- load_for_matching.sql reads it; records, assignments and places merged in id order, with hash
-- joins off (hash_joins.sql), as there.
SELECT r.id, r.carga_id, a.persona_id, r.curp, r.curp_valida::text, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento, r.sexo, r.edo_nac,
       coalesce(substr(u.cvegeo_mun, 3, 3), r.cve_mun) AS cve_mun,
       CASE WHEN u.cvegeo_loc IS NOT NULL THEN substr(u.cvegeo_loc, 6, 4)
            WHEN u.cvegeo_mun IS NULL THEN r.cve_loc END AS cve_loc,
       r.cp, {muestra}::text AS muestra
FROM padron.registro r
LEFT JOIN {asignaciones} a ON a.registro_id = r.id
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
