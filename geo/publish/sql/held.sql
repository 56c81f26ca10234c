-- Records of each period held without a person (waiting for review).
SELECT coalesce(r.periodo, '') AS periodo, count(*) AS registros
FROM padron.registro r
WHERE NOT EXISTS (SELECT FROM padron.asignacion a WHERE a.registro_id = r.id)
GROUP BY 1
