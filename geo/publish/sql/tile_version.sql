-- The state the tiles are drawn from: the schema's revision (a migration may change what a
-- tile holds, e.g. publico.cifras_cobertura), the reference products loaded (with their
-- checksums), the coverage computed (each program and period with the time of its last
-- refresh) and the publication built from it. Any migration, load, refresh or publication
-- changes it.
SELECT md5(concat_ws('|',
    (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM public.alembic_version),
    (SELECT string_agg(concat_ws(',', producto, sha256, cargado_en), ';' ORDER BY producto)
     FROM boundaries.carga_referencia),
    (SELECT string_agg(concat_ws(',', programa, periodo, refrescado_en), ';'
                       ORDER BY programa, periodo)
     FROM analisis.refresco),
    (SELECT publicado_en::text FROM analisis.publicacion)))
