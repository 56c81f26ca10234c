-- The census total as the group 'total' of every area, exactly (the age groups miss the
-- inhabitants whose age was not specified).
UPDATE analisis.area SET poblacion = poblacion || jsonb_build_object('total', pobtot)
