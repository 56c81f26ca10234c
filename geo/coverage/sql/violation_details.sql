-- One page (:limite, :desplazamiento) of the violations found by violations.sql.
SELECT carga_id AS carga, folio, periodo, regla, detalle FROM violacion
ORDER BY carga_id, folio, regla LIMIT :limite OFFSET :desplazamiento
