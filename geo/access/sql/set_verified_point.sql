-- A point verified in the field becomes the record's location (precision verificado_campo),
-- keeping the locality already known when the point falls in no locality polygon.
INSERT INTO padron.ubicacion
    (registro_id, carga_id, cvegeo_mun, cvegeo_loc, precision, confianza, banderas, geom)
VALUES (:registro_id, :carga_id, :mun, :loc, 'verificado_campo', 1.0, '{}',
        ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
ON CONFLICT (registro_id) DO UPDATE SET
    cvegeo_mun = EXCLUDED.cvegeo_mun,
    cvegeo_loc = coalesce(EXCLUDED.cvegeo_loc, padron.ubicacion.cvegeo_loc),
    precision = 'verificado_campo', confianza = 1.0, banderas = '{}', geom = EXCLUDED.geom
