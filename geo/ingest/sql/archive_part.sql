-- One zstd-compressed part of a batch's file. Run on the psycopg connection of the ingest's
-- writer thread, hence psycopg's placeholders; the content goes in binary format.
INSERT INTO padron.carga_archivo (carga_id, parte, contenido, tamano, datos)
VALUES (%(carga_id)s, %(parte)s, 'original', %(tamano)s, %(datos)b)
