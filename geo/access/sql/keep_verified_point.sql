-- The field-verified point of a record, who recorded it and when.
INSERT INTO acceso.punto_verificado (registro_id, geom, usuario)
VALUES (:registro_id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :usuario)
ON CONFLICT (registro_id) DO UPDATE SET geom = EXCLUDED.geom,
    usuario = EXCLUDED.usuario, en = now()
