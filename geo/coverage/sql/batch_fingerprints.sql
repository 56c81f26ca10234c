-- A fingerprint of every batch in use: its rows, resolved persons and places, in one pass over
-- registro, asignacion and ubicacion (what resolution, geocoding or a new batch changes); and
-- its records in each of its periods ('' = none), which the refresh needs as well: a batch's
-- records never change, so they are counted here once rather than by a pass of their own.
-- A withdrawn batch is absent, so the refresh treats it as removed.
SELECT c.id, c.programa,
       concat_ws(':', coalesce(r.filas, 0), coalesce(a.personas, 0), coalesce(a.suma, 0),
                 coalesce(u.filas, 0), coalesce(u.lugares, 0)) AS huella,
       coalesce(r.periodos, '{}') AS periodos, coalesce(r.registros, '{}') AS registros
FROM padron.carga c
LEFT JOIN (SELECT carga_id, sum(n) AS filas, array_agg(periodo ORDER BY periodo) AS periodos,
                  array_agg(n ORDER BY periodo) AS registros
           FROM (SELECT carga_id, coalesce(periodo, '') AS periodo, count(*) AS n
                 FROM padron.registro GROUP BY 1, 2) p
           GROUP BY carga_id) r
       ON r.carga_id = c.id
LEFT JOIN (SELECT carga_id, count(*) AS personas, sum(persona_id) AS suma
           FROM padron.asignacion GROUP BY carga_id) a ON a.carga_id = c.id
LEFT JOIN (SELECT carga_id, count(*) AS filas,
                  sum(hashtext(coalesce(cvegeo_loc, cvegeo_mun, '-'))) AS lugares
           FROM padron.ubicacion GROUP BY carga_id) u ON u.carga_id = c.id
WHERE c.retirada_en IS NULL
