-- One page (:limite, :desplazamiento) of the records counted by
-- untrusted_locations.sql: batch, program, period, folio and why.
SELECT r.carga_id AS carga, r.programa, r.periodo, r.folio, u.precision,
       array_to_string(u.banderas, ';') AS banderas
FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
  AND (u.precision = ANY(CAST(:precisiones AS text[]))
       OR u.banderas && CAST(:banderas AS text[]))
ORDER BY r.carga_id, r.folio LIMIT :limite OFFSET :desplazamiento
