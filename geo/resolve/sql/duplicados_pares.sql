-- Persons listed by both programs of a pair in the same period.
WITH resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
)
SELECT x.programa, y.programa, count(DISTINCT x.persona_id)
FROM resuelto x
JOIN resuelto y ON y.persona_id = x.persona_id AND x.programa < y.programa
 AND x.periodo IS NOT DISTINCT FROM y.periodo
GROUP BY 1, 2
