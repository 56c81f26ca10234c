-- Data quality of the :n most recent batches, oldest first: records per location precision,
-- records with each flag (of the record or its location) and records with any flag.
WITH ultimas AS (
    SELECT id, programa, periodo, terminada_en, filas_leidas, filas_cargadas, filas_rechazadas
    FROM padron.carga ORDER BY terminada_en DESC, id DESC LIMIT :n
),
banderas AS (
    SELECT r.carga_id, r.id, r.banderas || coalesce(u.banderas, '{}') AS todas
    FROM padron.registro r
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    WHERE r.carga_id IN (SELECT id FROM ultimas)
      AND (cardinality(r.banderas) > 0 OR cardinality(u.banderas) > 0)
)
SELECT c.id AS carga, c.programa, c.periodo, c.terminada_en, c.filas_leidas,
       c.filas_cargadas AS registros, c.filas_rechazadas,
       (SELECT count(*)::int FROM banderas b WHERE b.carga_id = c.id) AS con_bandera,
       (SELECT coalesce(jsonb_object_agg(p.precision, p.n), '{}')
        FROM (SELECT u.precision, count(*)::int AS n FROM padron.ubicacion u
              WHERE u.carga_id = c.id GROUP BY 1) p) AS por_precision,
       (SELECT coalesce(jsonb_object_agg(f.bandera, f.n), '{}')
        FROM (SELECT x.bandera, count(DISTINCT b.id)::int AS n
              FROM banderas b CROSS JOIN LATERAL unnest(b.todas) AS x(bandera)
              WHERE b.carga_id = c.id GROUP BY 1) f) AS por_bandera
FROM ultimas c
ORDER BY c.terminada_en, c.id
