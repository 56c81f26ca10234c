-- A period brought up to date: the kept rows of the touched persons are replaced by their rows
-- recomputed (persons.sql), and the difference they make is what cobertura.sql counts
-- (analisis.trabajo_filas: the new rows, and the old ones with the opposite sign). The
-- partition's statistics stay those of its last whole recompute.
DROP TABLE IF EXISTS analisis.trabajo_antes;
CREATE UNLOGGED TABLE analisis.trabajo_antes (LIKE analisis.persona_programa);
WITH antes AS (
    DELETE FROM analisis.persona_programa
    WHERE periodo = :periodo AND persona IN (SELECT persona FROM analisis.trabajo_tocada)
    RETURNING *)
INSERT INTO analisis.trabajo_antes SELECT * FROM antes;
INSERT INTO analisis.persona_programa (periodo, persona, programa, registros, importe,
    importe_repetido, cvegeo_mun, cvegeo_loc, programas, importe_persona, primera)
SELECT periodo, persona, programa, registros, importe, importe_repetido, cvegeo_mun, cvegeo_loc,
       programas, importe_persona, primera
FROM analisis.trabajo_programa;
CREATE VIEW analisis.trabajo_filas AS
SELECT 1 AS signo, programa, registros, importe, importe_repetido, cvegeo_mun, cvegeo_loc,
       programas, importe_persona, primera
FROM analisis.trabajo_programa
UNION ALL
SELECT -1, programa, registros, importe, importe_repetido, cvegeo_mun, cvegeo_loc, programas,
       importe_persona, primera
FROM analisis.trabajo_antes;
DROP TABLE analisis.trabajo_registro;
RESET max_parallel_workers_per_gather;
