-- One resolution at a time: two would assign the same records; also taken by a batch's
-- withdrawal (forget.py), which deletes assignments (held until the transaction ends).
SELECT pg_advisory_xact_lock(hashtext('padron.resolve'))
