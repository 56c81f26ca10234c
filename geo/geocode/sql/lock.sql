-- One geocoding run at a time, held on a connection of its own for the whole run (its ranges and
-- indexes commit on others): two runs at once both found the same batches pending and geocoded
-- them twice over, and both built the missing indexes (CREATE INDEX IF NOT EXISTS is not safe
-- against a concurrent one: the second failed).
SELECT pg_advisory_xact_lock(hashtext('padron.geocode'))
