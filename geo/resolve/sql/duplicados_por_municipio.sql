-- Persons in more than one program in a period, by the municipality of their listings.
WITH resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
),
varios AS (
    SELECT periodo, persona_id FROM resuelto
    GROUP BY periodo, persona_id HAVING count(DISTINCT programa) > 1
)
SELECT r.cve_ent || r.cve_mun AS municipio, count(DISTINCT r.persona_id) AS personas
FROM resuelto r
JOIN varios v ON v.persona_id = r.persona_id AND v.periodo IS NOT DISTINCT FROM r.periodo
WHERE r.cve_ent IS NOT NULL AND r.cve_mun IS NOT NULL
GROUP BY 1
