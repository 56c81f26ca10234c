-- The persons whose kept rows may be wrong: every person a logged record of the batches
-- :cargas was or is now, and every person of the new batches :nuevas (a record without a
-- person is the person -id, as in persons.sql; a key too many is only recomputed as it was).
DROP TABLE IF EXISTS analisis.trabajo_tocada;
CREATE UNLOGGED TABLE analisis.trabajo_tocada AS
SELECT DISTINCT persona
FROM (SELECT unnest(ARRAY[c.persona_id, -c.registro_id, coalesce(a.persona_id, -c.registro_id)])
             AS persona
      FROM analisis.trabajo_cambio c
      LEFT JOIN padron.asignacion a ON a.registro_id = c.registro_id
      WHERE c.carga_id = ANY(CAST(:cargas AS bigint[]))
      -- (a new batch's persons and its records' own keys: one pass over the assignments, not
      -- a hash of them all to join the records to, 0.9 s against 1.3 s at seed size)
      UNION ALL
      SELECT persona_id FROM padron.asignacion WHERE carga_id = ANY(CAST(:nuevas AS bigint[]))
      UNION ALL
      SELECT -id FROM padron.registro WHERE carga_id = ANY(CAST(:nuevas AS bigint[]))) t
WHERE persona IS NOT NULL;
ANALYZE analisis.trabajo_tocada;
