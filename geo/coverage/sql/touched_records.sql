-- The records persons.sql reads for a period brought up to date: those of the touched persons,
-- with the columns it reads (a table, analysed: on padron.registro itself, filtered by a
-- subquery, the planner expected five times as many rows and hashed every assignment and place
-- in parallel workers, 5.4 s at seed size for 145,000 records). The planner reads them by
-- index: 1.0 s with the registry in memory, 5.6 s from a cold cache (a hash join on a full scan
-- of the records took 2.0-2.7 s either way).
CREATE UNLOGGED TABLE analisis.trabajo_registro AS
SELECT r.id, r.carga_id, r.programa, r.periodo, r.importe, r.fecha_alta
FROM padron.registro r
WHERE r.id IN (SELECT a.registro_id
               FROM analisis.trabajo_tocada t
               JOIN padron.asignacion a ON a.persona_id = t.persona
               UNION ALL
               SELECT -persona FROM analisis.trabajo_tocada WHERE persona < 0);
ANALYZE analisis.trabajo_registro;
-- A few hundred thousand records: hashed in one process, they are probed by one pass over the
-- assignments and places (2.2 s); PostgreSQL 15 cannot hash the smaller side of an outer join
-- in parallel, and with workers hashes the millions instead (3.4 s). patch_persons.sql resets it.
SET LOCAL max_parallel_workers_per_gather = 0;
