-- The log of changed records (analisis.cambio, written by triggers on padron.asignacion and
-- padron.ubicacion) taken into this refresh: rows committed later stay for the next one.
DROP TABLE IF EXISTS analisis.trabajo_cambio;
CREATE UNLOGGED TABLE analisis.trabajo_cambio (LIKE analisis.cambio);
WITH tomadas AS (DELETE FROM analisis.cambio RETURNING carga_id, registro_id, persona_id)
INSERT INTO analisis.trabajo_cambio SELECT * FROM tomadas;
ANALYZE analisis.trabajo_cambio;
