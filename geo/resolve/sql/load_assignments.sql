-- The persons the CURP rules (resolve_curp.sql) gave the records they set apart, with the marks
-- of persona_estado.sql (sin_curp, curp_nueva), for the records
-- geo.resolve.resolver.read_every_record read during the rules with the persons they had before.
-- With {todas}, every assigned record's person instead: after a first load, whose rules lock the
-- assignments, the records were read without theirs. Read with COPY, in no particular order.
SELECT a.registro_id, a.persona_id, coalesce(e.sin_curp, false)::text,
       coalesce(e.curp_nueva, false)::text
FROM padron.asignacion a
LEFT JOIN persona_estado e ON e.id = a.persona_id
WHERE {todas}
   OR a.registro_id IN (SELECT id FROM curp_pendiente UNION ALL SELECT id FROM curp_tipeo)
