-- One resolution at a time (key 'padron.resolve'), also against a batch's withdrawal.
SELECT pg_advisory_xact_lock(hashtext('padron.resolve'))
