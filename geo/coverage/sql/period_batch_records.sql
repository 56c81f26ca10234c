-- Records of each of the batches :cargas in period :periodo ('' = none), placed or not: one pass
-- for all the period's programs.
SELECT carga_id, count(*) AS registros
FROM padron.registro
WHERE carga_id = ANY(CAST(:cargas AS bigint[]))
  AND (periodo = :periodo OR (periodo IS NULL AND :periodo = ''))
GROUP BY carga_id
