-- One publication at a time (key :k): a second one waits and then finds nothing to do.
SELECT pg_advisory_xact_lock(hashtext(:k))
