-- Each assigned record's person, for the records geo.resolve.resolver.read_every_record read
-- during the CURP rules, with sin_curp and curp_nueva as load_for_matching.sql marks them: a
-- person without a CURP; a person this run made for a new CURP, when persons without a CURP
-- exist. Read with COPY, in no particular order.
WITH hay_sin_curp AS MATERIALIZED (
    SELECT EXISTS (SELECT FROM padron.persona WHERE curp IS NULL) AS si
), persona_estado AS MATERIALIZED (
    SELECT id, curp IS NULL AS sin_curp, curp IS NOT NULL AS curp_nueva
    FROM padron.persona
    WHERE curp IS NULL OR (creada_en = now() AND (TABLE hay_sin_curp))
)
SELECT a.registro_id, a.persona_id, coalesce(e.sin_curp, false)::text,
       coalesce(e.curp_nueva, false)::text
FROM padron.asignacion a
LEFT JOIN persona_estado e ON e.id = a.persona_id
