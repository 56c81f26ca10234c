-- Persons this run created for CURPs new to the registry that are earlier persons without a CURP
-- (geo.resolve.match.late_curps; :nuevas[k] is :previas[k]): the earlier person takes the CURP
-- and the new one's records, and the new person, which nothing outside this transaction has
-- seen, is dropped. One statement: the rows deleted are gone for the unique index on curp
-- before the CURP is set on the earlier person.
WITH fusion AS (
    SELECT nueva, previa
    FROM unnest(CAST(:nuevas AS bigint[]), CAST(:previas AS bigint[])) AS f(nueva, previa)
), movidas AS (
    UPDATE padron.asignacion a SET persona_id = f.previa
    FROM fusion f WHERE a.persona_id = f.nueva
), borradas AS (
    DELETE FROM padron.persona p USING fusion f WHERE p.id = f.nueva
    RETURNING f.previa, p.curp
)
UPDATE padron.persona p SET curp = b.curp FROM borradas b WHERE p.id = b.previa
