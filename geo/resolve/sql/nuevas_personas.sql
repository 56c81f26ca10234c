-- :n new person ids, taken from the sequence and inserted (geo.resolve.resolver).
INSERT INTO padron.persona (id)
SELECT nextval(pg_get_serial_sequence('padron.persona', 'id')) FROM generate_series(1, :n)
RETURNING id
