-- The persons without a CURP (persona_estado.sql's sin_curp), for the records
-- geo.resolve.resolver.read_every_record reads with their persons.
SELECT id FROM padron.persona WHERE curp IS NULL
