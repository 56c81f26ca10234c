-- Records of each program and period ('' = none) placed only at a municipality or nowhere
-- (:precisiones), or whose place is doubtful (:banderas): the anomaly counts take one period
-- or all of them, the publication every period.
SELECT coalesce(r.periodo, '') AS periodo, r.programa, count(*) AS registros
FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE u.precision = ANY(CAST(:precisiones AS text[])) OR u.banderas && CAST(:banderas AS text[])
GROUP BY 1, 2
