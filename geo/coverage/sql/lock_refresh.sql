-- One refresh at a time (key :k); a concurrent ingest simply waits for the next refresh.
SELECT pg_advisory_xact_lock(hashtext(:k))
