-- Unique persons per program (geo.resolve.report.duplicated_support).
WITH resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
)
SELECT programa, count(DISTINCT persona_id) FROM resuelto GROUP BY programa
