-- One ingest at a time, and no withdrawal meanwhile. Folio uniqueness across a program's
-- batches is checked under this lock, and attaching a batch's partition checks its foreign key
-- to padron.carga, which waits for every other open transaction that inserted into carga: two
-- ingests at once each waited for the other's carga row, and PostgreSQL cancelled one.
SELECT pg_advisory_xact_lock(hashtextextended('padron.ingest', 0))
