-- Persons of one period (:periodo) by exact set of programs, and what their listings pay, in
-- each locality and each municipality (whose persons placed without a locality are the
-- difference).
SELECT nivel, clave, programas, personas, importe
FROM analisis.combinacion
WHERE periodo = :periodo AND nivel IN ('localidad', 'municipio')
