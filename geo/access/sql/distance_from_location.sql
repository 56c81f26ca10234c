-- Metres between the record's current location (:registro_id) and the point (:lon, :lat);
-- null when the record has no point.
SELECT ST_DistanceSphere(u.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
FROM padron.ubicacion u WHERE u.registro_id = :registro_id AND u.geom IS NOT NULL
