-- Rows inserted, updated and deleted so far in each table of the registry, a partition's
-- counted under its partitioned table (bench/pipeline.py: what an incremental run touched).
SELECT n.nspname || '.' || c.relname AS tabla,
       sum(s.n_tup_ins)::bigint AS insertadas,
       sum(s.n_tup_upd)::bigint AS actualizadas,
       sum(s.n_tup_del)::bigint AS borradas
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = coalesce(pg_partition_root(s.relid), s.relid)
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE s.schemaname IN ('padron', 'analisis', 'acceso')
GROUP BY 1
