-- Before a run that places more records than are placed already (the first load, above all):
-- the secondary indexes of padron.ubicacion go, and build_indexes.sql makes them again after
-- the ranges, in bulk. Kept, every inserted row went into the GiST index on points and the
-- two btrees one at a time: a third of geocoding's time at seed size (57.8 s against 38.7 s,
-- plus 7 s to build them after). The primary key stays (ON CONFLICT and range deletes use it).
DROP INDEX IF EXISTS padron.ubicacion_geom, padron.ubicacion_loc, padron.ubicacion_carga;
