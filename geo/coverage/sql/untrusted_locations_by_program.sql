-- Records of each program (in period :periodo, or all when null) placed only at municipality
-- level or not at all (:precisiones), or with a flag that makes their place doubtful
-- (:banderas).
SELECT r.programa, count(*)
FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
WHERE (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
  AND (u.precision = ANY(CAST(:precisiones AS text[]))
       OR u.banderas && CAST(:banderas AS text[]))
GROUP BY r.programa
