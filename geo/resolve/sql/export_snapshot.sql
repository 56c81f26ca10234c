-- What the resolution's transaction sees, for read_every_record's connection to see the same
-- (SET TRANSACTION SNAPSHOT, snapshot.sql).
SELECT pg_export_snapshot()
