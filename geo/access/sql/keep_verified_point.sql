-- The point measured in the field for a record (:registro_id), with the phone's accuracy
-- radius (:precision_m), its precision (verificado_campo or campo_impreciso), who recorded it
-- and when it was measured. A poor fix never overwrites a verified point: then no row returns.
INSERT INTO acceso.punto_verificado (registro_id, geom, usuario, precision, precision_m, medido_en)
VALUES (:registro_id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :usuario, :precision,
        :precision_m, coalesce(CAST(:medido_en AS timestamptz), now()))
ON CONFLICT (registro_id) DO UPDATE SET geom = EXCLUDED.geom, usuario = EXCLUDED.usuario,
    precision = EXCLUDED.precision, precision_m = EXCLUDED.precision_m,
    medido_en = EXCLUDED.medido_en, en = now()
WHERE NOT (acceso.punto_verificado.precision = 'verificado_campo'
           AND EXCLUDED.precision = 'campo_impreciso')
RETURNING registro_id
