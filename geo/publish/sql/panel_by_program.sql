-- Records, resolved persons and amount per program (the control panel's totals).
SELECT r.programa, count(*)::int AS registros,
       count(DISTINCT a.persona_id)::int AS personas, sum(r.importe) AS importe
FROM padron.registro r LEFT JOIN padron.asignacion a ON a.registro_id = r.id
GROUP BY 1 ORDER BY 1
