-- How many records are without a person (pendientes.sql, this transaction).
SELECT count(*) FROM pendiente_registro
