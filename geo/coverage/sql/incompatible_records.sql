-- The records of program :a whose person also receives program :b in the same period
-- (:periodo, or any when null), with the other record's program and folio.
SELECT a.carga_id AS carga, a.programa, a.periodo, a.folio,
       b.programa || ' ' || b.folio AS tambien_en
FROM padron.registro a
JOIN padron.asignacion pa ON pa.registro_id = a.id
JOIN padron.asignacion pb ON pb.persona_id = pa.persona_id
JOIN padron.registro b ON b.id = pb.registro_id AND b.carga_id = pb.carga_id
 AND b.periodo IS NOT DISTINCT FROM a.periodo AND a.programa = :a AND b.programa = :b
WHERE (CAST(:periodo AS text) IS NULL OR a.periodo = :periodo)
ORDER BY a.carga_id, a.folio
