-- Money paid to persons in several programs in a period, of the repeated listings within a
-- program, and of every listing of a person listed more than once.
WITH resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
),
repetida AS (
    SELECT periodo, persona_id, count(DISTINCT programa) > 1 AS varios
    FROM resuelto
    GROUP BY periodo, persona_id HAVING count(*) > 1
), listado AS (
    SELECT r.importe, p.varios,
           row_number() OVER (PARTITION BY r.programa, r.periodo, r.persona_id ORDER BY r.id) > 1
               AS extra
    FROM resuelto r
    JOIN repetida p ON p.persona_id = r.persona_id AND p.periodo IS NOT DISTINCT FROM r.periodo
)
SELECT coalesce(sum(importe) FILTER (WHERE varios), 0),
       coalesce(sum(importe) FILTER (WHERE extra), 0),
       coalesce(sum(importe), 0)
FROM listado
