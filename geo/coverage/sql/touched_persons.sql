-- The persons whose kept rows may be wrong: every person a logged record of the batches
-- :cargas was or is now, and every person of the new batches :nuevas (a record without a
-- person is the person -id, as in persons.sql).
DROP TABLE IF EXISTS analisis.trabajo_tocada;
CREATE UNLOGGED TABLE analisis.trabajo_tocada AS
SELECT DISTINCT persona
FROM (SELECT unnest(ARRAY[c.persona_id, -c.registro_id, coalesce(a.persona_id, -c.registro_id)])
             AS persona
      FROM analisis.trabajo_cambio c
      LEFT JOIN padron.asignacion a ON a.registro_id = c.registro_id
      WHERE c.carga_id = ANY(CAST(:cargas AS bigint[]))
      UNION ALL
      SELECT coalesce(a.persona_id, -r.id)
      FROM padron.registro r
      LEFT JOIN padron.asignacion a ON a.registro_id = r.id
      WHERE r.carga_id = ANY(CAST(:nuevas AS bigint[]))) t
WHERE persona IS NOT NULL;
ANALYZE analisis.trabajo_tocada;
