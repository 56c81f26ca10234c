-- Listings beyond a person's first within one program and period.
WITH resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
)
SELECT programa, sum(veces - 1)
FROM (SELECT programa, periodo, persona_id, count(*) AS veces
      FROM resuelto GROUP BY programa, periodo, persona_id) listado
WHERE veces > 1
GROUP BY programa
