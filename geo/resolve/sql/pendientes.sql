-- The records without a person, set apart for load_for_matching.sql, with their own statistics:
-- found there through "LEFT JOIN padron.asignacion ... WHERE persona_id IS NULL", which the
-- planner does not take for an anti-join, they were estimated as one row, and on a registry of
-- a million records with 10,000 pending the plan could turn into a nested loop over the
-- persons without a CURP for each of them (215 s instead of 2 s; superlinear in the registry).
CREATE TEMP TABLE pendiente_registro (id bigint PRIMARY KEY) ON COMMIT DROP;

INSERT INTO pendiente_registro
SELECT r.id FROM padron.registro r
WHERE NOT EXISTS (SELECT FROM padron.asignacion a WHERE a.registro_id = r.id);

ANALYZE pendiente_registro;
