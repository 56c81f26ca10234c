-- Each assigned record's person, for the records geo.resolve.resolver.read_every_record read
-- during the CURP rules, with the marks of persona_estado.sql (sin_curp, curp_nueva), as
-- load_for_matching.sql gives them. Read with COPY, in no particular order.
SELECT a.registro_id, a.persona_id, coalesce(e.sin_curp, false)::text,
       coalesce(e.curp_nueva, false)::text
FROM padron.asignacion a
LEFT JOIN persona_estado e ON e.id = a.persona_id
