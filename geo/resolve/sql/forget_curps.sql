-- A person that keeps records of other batches but had its CURP only from batch :carga_id's
-- records (a person without a CURP whose CURP arrived later, geo.resolve.match.late_curps)
-- gives the CURP back (run before the batch's assignments go).
UPDATE padron.persona p SET curp = NULL
WHERE p.curp IS NOT NULL
  AND p.id IN (SELECT persona_id FROM padron.asignacion WHERE carga_id = :carga_id)
  AND NOT EXISTS (SELECT FROM padron.asignacion a JOIN padron.registro r ON r.id = a.registro_id
                  WHERE a.persona_id = p.id AND a.carga_id <> :carga_id
                    AND r.curp_valida AND r.curp = p.curp)
