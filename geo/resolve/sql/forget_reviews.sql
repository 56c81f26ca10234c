-- Review pairs with a record of batch :carga_id on either side (pending or decided: a decision
-- about a record that no longer exists has nothing left to apply to).
DELETE FROM padron.revision
WHERE registro_id IN (SELECT id FROM padron.registro WHERE carga_id = :carga_id)
   OR candidato_id IN (SELECT id FROM padron.registro WHERE carga_id = :carga_id)
