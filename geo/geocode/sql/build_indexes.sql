-- padron.ubicacion's secondary indexes, as migration 0003 defines them, where missing: after a
-- run that dropped them (drop_indexes.sql), and at the start of every other run, so that a run
-- killed before it rebuilt them leaves them missing only until the next one. One statement per
-- index: after a bulk run, geo.geocode.locate builds them side by side.
CREATE INDEX IF NOT EXISTS ubicacion_geom ON padron.ubicacion USING gist (geom);
CREATE INDEX IF NOT EXISTS ubicacion_loc ON padron.ubicacion (cvegeo_loc);
CREATE INDEX IF NOT EXISTS ubicacion_carga ON padron.ubicacion (carga_id);
