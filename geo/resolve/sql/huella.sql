-- What a resolution reads besides its own writes, as one hash (geo.resolve.resolver.stamp):
-- the batches and the registry's size (records are added and removed by batch only:
-- geo.ingest, geo.ingest.withdraw), every record's place as matching compares it (municipality
-- and locality of padron.ubicacion, which geocoding and verified points write), and the
-- reviewers' decisions. The places enter as a sum of hashes, which needs no sort of 3.9 M rows
-- (1 s at seed size); two changes that cancel out in it are as likely as a 32-bit collision.
SELECT md5(concat_ws('|',
    (SELECT string_agg(id::text, ',' ORDER BY id) FROM padron.carga),
    (SELECT count(*) FROM padron.registro),
    (SELECT count(*) || ':' || coalesce(sum(hashtext(concat_ws(':', registro_id, cvegeo_mun,
                                                                cvegeo_loc))), 0)
     FROM padron.ubicacion),
    (SELECT string_agg(id || ':' || decision, ',' ORDER BY id)
     FROM padron.revision WHERE decision IS NOT NULL)))
