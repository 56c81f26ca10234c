-- Records of a program (:programa) in a period (:periodo, or all when null).
SELECT count(*) FROM padron.registro WHERE programa = :programa
AND (CAST(:periodo AS text) IS NULL OR periodo = :periodo)
