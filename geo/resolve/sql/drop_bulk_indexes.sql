-- Before a load of more records than are assigned so far (the first, above all: decided by
-- geo.resolve.resolver.resolve on counted rows, since ANALYZE's row counts outlive a rollback
-- and a failed first run left the empty table's count at millions), the persons' and
-- assignments' indexes are dropped; resolve_curp.sql writes the rows without them and builds
-- each index once afterwards. Kept, they took every row as it came, and asignacion's index on
-- persons at a random place (a record's person is in an order of its own; at twice the seed
-- size, 30 s of a 48 s insert). At seed size the persons took 6.4 s with their indexes, 3.3 +
-- 1.1 s without; the assignments 7.3 s with their primary key, 4.5 + 0.6 s without (the same
-- rows). Dropping them locks both tables until the resolution commits, so a smaller load keeps
-- them: readers of a registry in use never wait for one, nor does the resolution's own read of
-- every record beside the rules (read_every_record reads the persons only then).
DROP INDEX padron.asignacion_persona;
ALTER TABLE padron.asignacion DROP CONSTRAINT asignacion_pkey;
ALTER TABLE padron.persona DROP CONSTRAINT persona_pkey, DROP CONSTRAINT persona_curp_key;
