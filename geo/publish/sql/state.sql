-- What the publication is built from: the coverage computed (each program and period with the
-- time of its last refresh). A publication built from the same state with the same k and rules
-- is not built again.
SELECT coalesce(string_agg(concat_ws(',', programa, periodo, refrescado_en), ';'
                           ORDER BY programa, periodo), '')
FROM analisis.refresco
