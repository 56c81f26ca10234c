-- Surnames, first or second, over every record (geo.resolve.match.NameFrequencies).
SELECT apellido, count(*) FROM padron.registro,
       unnest(ARRAY[primer_ap_norm, segundo_ap_norm]) AS apellido
WHERE apellido IS NOT NULL
GROUP BY 1
