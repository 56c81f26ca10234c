-- Every table the tile servers read (with its indexes and out-of-line geometries) into shared
-- buffers before each server's runs (bench/tiles.py): no server pays for being the first to
-- read the pages only it uses, such as the service's Web Mercator indexes after tipg's run.
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
WITH tablas AS (
    SELECT c.oid, c.reltoastrelid
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('boundaries', 'analisis', 'publico') AND c.relkind IN ('r', 'm')
),
relaciones AS (
    SELECT oid FROM tablas
    UNION ALL
    SELECT reltoastrelid FROM tablas WHERE reltoastrelid <> 0
    UNION ALL
    SELECT i.indexrelid FROM pg_index i
    WHERE i.indrelid IN (SELECT oid FROM tablas UNION ALL SELECT reltoastrelid FROM tablas)
)
SELECT coalesce(sum(pg_prewarm(oid)), 0) AS bloques FROM relaciones;
