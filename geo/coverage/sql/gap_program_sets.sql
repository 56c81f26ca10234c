-- Persons of each locality by exact set of programs in period :periodo.
SELECT clave AS cvegeo, programas, personas FROM analisis.combinacion
WHERE periodo = :periodo AND nivel = 'localidad'
