-- A period brought up to date: the kept rows of the touched persons are replaced by their rows
-- recomputed (persons.sql). The partition's statistics stay those of its last whole recompute.
DELETE FROM analisis.persona_programa
WHERE periodo = :periodo AND persona IN (SELECT persona FROM analisis.trabajo_tocada);
INSERT INTO analisis.persona_programa (periodo, persona, programa, registros, importe,
    importe_repetido, cvegeo_mun, cvegeo_loc, programas, importe_persona, primera)
SELECT periodo, persona, programa, registros, importe, importe_repetido, cvegeo_mun, cvegeo_loc,
       programas, importe_persona, primera
FROM analisis.trabajo_programa;
DROP TABLE analisis.trabajo_programa, analisis.trabajo_registro;
RESET max_parallel_workers_per_gather;
