-- Persons of each locality by exact set of programs in period :periodo (the set as JSON text,
-- which Polars decodes far faster than the driver turns arrays into Python lists).
SELECT clave AS cvegeo, array_to_json(programas)::text AS programas, personas
FROM analisis.combinacion
WHERE periodo = :periodo AND nivel = 'localidad'
