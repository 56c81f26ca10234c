-- Resolved persons against the state's population (Censo 2020).
SELECT count(DISTINCT persona_id)::int AS personas,
       (SELECT sum(pob_2020) FROM boundaries.municipio)::bigint AS poblacion
FROM padron.asignacion
