-- One resolution at a time: two would assign the same records (held until the transaction ends).
SELECT pg_advisory_xact_lock(hashtext('padron.resolve'))
