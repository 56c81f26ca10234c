-- A doubtful pair for the review queue, with the comparisons that made it doubtful; a pair
-- already queued is left as it is.
INSERT INTO padron.revision (registro_id, candidato_id, probabilidad, detalle)
VALUES (:registro, :candidato, :probabilidad, CAST(:detalle AS jsonb))
ON CONFLICT (registro_id, candidato_id) DO NOTHING
