-- The persons that only batch :carga_id's records are (run before its assignments go): a
-- person with a record in any other batch stays, with the same id.
DELETE FROM padron.persona p
WHERE p.id IN (SELECT persona_id FROM padron.asignacion WHERE carga_id = :carga_id)
  AND NOT EXISTS (SELECT FROM padron.asignacion a
                  WHERE a.persona_id = p.id AND a.carga_id <> :carga_id)
