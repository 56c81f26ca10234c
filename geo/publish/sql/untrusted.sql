-- Records of each program and period placed only at a municipality or nowhere (:precisiones),
-- or whose place is doubtful (:banderas).
SELECT r.programa, coalesce(r.periodo, '') AS periodo, count(*) AS registros
FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE u.precision = ANY(CAST(:precisiones AS text[])) OR u.banderas && CAST(:banderas AS text[])
GROUP BY 1, 2
