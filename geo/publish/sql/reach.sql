-- Persons of each locality in period :periodo as the publication shows them, in every program
-- and in all of them (`*`): NULL where suppressed.
SELECT clave AS cvegeo, programa, personas, suprimida
FROM publico.cifra
WHERE periodo = :periodo AND nivel = 'localidad' AND length(clave) = 9
  AND programa <> '2+' AND position('|' IN programa) = 0
