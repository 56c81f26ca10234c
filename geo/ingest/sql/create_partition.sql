-- The batch's own table, without indexes until it is attached (composed by
-- geo.kernel.db.execute_composed: DDL takes no bound parameters).
CREATE TABLE {partition} (LIKE padron.registro INCLUDING DEFAULTS, CHECK (carga_id = {carga_id}))
