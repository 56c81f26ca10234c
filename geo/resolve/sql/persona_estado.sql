-- The persons matching tells apart, set apart for load_for_matching.sql and load_assignments.sql
-- (a temp table of this transaction): the persons made by matching, without a CURP (sin_curp),
-- whose records a record joins only if it resembles all of them (geo.resolve.match.decide);
-- and, when there are such persons, the persons this run created for CURPs new to the registry
-- (curp_nueva), which may be one of them whose valid CURP arrived later
-- (geo.resolve.match.late_curps). Persons created in this transaction are those whose
-- creada_en is its now(); resolution holds a lock, so no other run creates any meanwhile.
CREATE TEMP TABLE persona_estado ON COMMIT DROP AS
SELECT id, curp IS NULL AS sin_curp, curp IS NOT NULL AS curp_nueva
FROM padron.persona
WHERE curp IS NULL
   OR (creada_en = now() AND EXISTS (SELECT FROM padron.persona WHERE curp IS NULL));

ANALYZE persona_estado;
