-- One ingest per program at a time (key 'padron.ingest:<program>'): folio uniqueness across
-- batches is checked while the lock is held.
SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))
