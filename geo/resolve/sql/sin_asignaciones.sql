-- No assignment: what load_every_record.sql joins instead of padron.asignacion ({asignaciones})
-- to read the records without their persons, before a first load (drop_bulk_indexes.sql).
(SELECT NULL::bigint AS registro_id, NULL::bigint AS persona_id LIMIT 0)
