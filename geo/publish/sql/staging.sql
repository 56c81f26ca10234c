-- The new publication is copied here first, then replaces the stored one by difference
-- (replace.sql): rows that did not change are not rewritten.
DROP TABLE IF EXISTS pg_temp.cifra_nueva, pg_temp.indicador_nueva, pg_temp.bandera_nueva;
CREATE TEMP TABLE cifra_nueva (LIKE analisis.cifra) ON COMMIT DROP;
CREATE TEMP TABLE indicador_nueva (LIKE analisis.indicador) ON COMMIT DROP;
CREATE TEMP TABLE bandera_nueva (LIKE analisis.bandera) ON COMMIT DROP;
