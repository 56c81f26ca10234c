-- The records persons.sql reads for a period recomputed whole: all of them (a view, which the
-- planner sees through: the plan is that of padron.registro itself). keep_persons.sql drops it.
CREATE VIEW analisis.trabajo_registro AS
SELECT id, carga_id, programa, periodo, importe, fecha_alta FROM padron.registro;
