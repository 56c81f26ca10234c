-- A period recomputed whole: its rows (persons.sql) become its partition of
-- analisis.persona_programa, replacing the one before, and every one of them is what
-- cobertura.sql counts (analisis.trabajo_filas), with the statistics its aggregates are
-- planned on: its places and sets of programs are tens of thousands among millions of rows,
-- and told so (the product of each column's distinct values is far more), the planner
-- aggregates them in parallel workers, not in one process (seed size: 1.6 + 1.4 s -> 1.0 +
-- 0.9 s). (Composed by geo.kernel.db.execute_composed: DDL takes no bound parameters.)
DROP VIEW analisis.trabajo_registro;
DROP TABLE IF EXISTS {particion};
ALTER TABLE analisis.trabajo_programa RENAME TO {nombre};
ALTER TABLE analisis.persona_programa ATTACH PARTITION {particion} FOR VALUES IN ({periodo});
CREATE STATISTICS {lugares} (ndistinct) ON programa, cvegeo_mun, cvegeo_loc FROM {particion};
CREATE STATISTICS {conjuntos} (ndistinct) ON programas, cvegeo_mun, cvegeo_loc FROM {particion};
ANALYZE {particion};
CREATE VIEW analisis.trabajo_filas AS
SELECT 1 AS signo, programa, registros, importe, importe_repetido, cvegeo_mun, cvegeo_loc,
       programas, importe_persona, primera
FROM {particion};
