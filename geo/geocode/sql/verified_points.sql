-- Points measured in the field (acceso.punto_verificado) become the location of their records:
-- those of batch :carga whose ids lie in [:desde, :hasta] (run after geocoding that range), or
-- the one record :registro_id (when field staff save a point; :carga, :desde, :hasta null). A verified point (within the accuracy threshold) outranks any
-- geocoding; a poor fix (campo_impreciso) replaces only a locality's or municipality's point,
-- never the household's own point (croquis) nor a verified one. The locality is the polygon
-- that contains the point, else the one already known.
INSERT INTO padron.ubicacion (registro_id, carga_id, cvegeo_mun, cvegeo_loc, precision, confianza, banderas, geom)
SELECT v.registro_id, r.carga_id, m.clave, p.cvegeo, v.precision,
       CASE v.precision WHEN 'verificado_campo' THEN 1.0 ELSE 0.5 END, '{}', v.geom
FROM acceso.punto_verificado v
JOIN padron.registro r ON r.id = v.registro_id
LEFT JOIN padron.ubicacion g ON g.registro_id = v.registro_id
LEFT JOIN LATERAL (
    SELECT s.clave FROM boundaries.municipio_subdividido s WHERE ST_Covers(s.geom, v.geom) LIMIT 1
) m ON true
LEFT JOIN LATERAL (
    SELECT lp.cvegeo FROM boundaries.localidad_poligono lp WHERE ST_Covers(lp.geom, v.geom) LIMIT 1
) p ON true
WHERE ((r.carga_id = :carga AND r.id BETWEEN :desde AND :hasta) OR v.registro_id = :registro_id)
  AND (v.precision = 'verificado_campo' OR g.precision IS NULL
       OR g.precision IN ('localidad', 'municipio', 'sin_ubicar', 'campo_impreciso'))
ON CONFLICT (registro_id) DO UPDATE SET
    cvegeo_mun = EXCLUDED.cvegeo_mun,
    cvegeo_loc = coalesce(EXCLUDED.cvegeo_loc, padron.ubicacion.cvegeo_loc),
    precision = EXCLUDED.precision, confianza = EXCLUDED.confianza, banderas = '{}',
    geom = EXCLUDED.geom
RETURNING cvegeo_loc
