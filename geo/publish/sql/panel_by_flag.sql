-- Records per quality flag (of the record or of its location).
SELECT f.bandera, count(*)::int AS registros
FROM padron.registro r
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
CROSS JOIN LATERAL unnest(r.banderas || coalesce(u.banderas, '{}')) AS f(bandera)
GROUP BY 1 ORDER BY 2 DESC, 1
