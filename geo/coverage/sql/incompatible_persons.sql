-- Persons who receive both program :a and program :b in the same period (:periodo, or any
-- when null).
SELECT count(DISTINCT pa.persona_id)
FROM padron.registro a
JOIN padron.asignacion pa ON pa.registro_id = a.id
JOIN padron.asignacion pb ON pb.persona_id = pa.persona_id
JOIN padron.registro b ON b.id = pb.registro_id AND b.carga_id = pb.carga_id
 AND b.periodo IS NOT DISTINCT FROM a.periodo AND a.programa = :a AND b.programa = :b
WHERE (CAST(:periodo AS text) IS NULL OR a.periodo = :periodo)
