-- Records per location precision.
SELECT precision, count(*)::int AS registros FROM padron.ubicacion GROUP BY 1 ORDER BY 2 DESC, 1
