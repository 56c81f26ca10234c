-- padron.ubicacion's secondary indexes, as migrations 0003 and 0018 define them (the locality's
-- in byte order), where missing: after a run that dropped them (drop_indexes.sql), and at the
-- start of every other run, so that a run killed before it rebuilt them leaves them missing only
-- until the next one. One statement per index: after a bulk run, geo.geocode.locate builds them
-- side by side. Looked up first, so that where they exist no lock is taken: CREATE INDEX IF NOT
-- EXISTS alone waits for a share lock on the table, behind another run's ranges, and the writes
-- of field staff would queue behind it.
-- (Each block on lines that end in ';' only where it ends: statements are split there.)
DO $$ BEGIN IF to_regclass('padron.ubicacion_geom') IS NULL THEN
    CREATE INDEX IF NOT EXISTS ubicacion_geom ON padron.ubicacion USING gist (geom); END IF; END $$;
DO $$ BEGIN IF to_regclass('padron.ubicacion_loc') IS NULL THEN
    CREATE INDEX IF NOT EXISTS ubicacion_loc ON padron.ubicacion
        (cvegeo_loc COLLATE "C"); END IF; END $$;
DO $$ BEGIN IF to_regclass('padron.ubicacion_carga') IS NULL THEN
    CREATE INDEX IF NOT EXISTS ubicacion_carga ON padron.ubicacion (carga_id); END IF; END $$;
