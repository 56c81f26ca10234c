-- The least a coverage refresh can do at a first load while keeping one row per person, program
-- and period, as geo/coverage/refresh.py keeps them for the rosters that follow: read every
-- record with its person and its place, sort by person, group, write the rows. Without the
-- counting rule (the place a person lives in, their set of programs, what they are paid in all)
-- and without the counts by area and by set of programs, which the refresh adds
-- (geo/coverage/sql/persons.sql, cobertura.sql). Sorted and grouped as persons.sql is.
SET LOCAL work_mem = '512MB';
SET LOCAL enable_hashagg = off;
CREATE UNLOGGED TABLE bench_cota_refresco AS
SELECT periodo, persona, programa, count(*) AS registros, sum(importe) AS importe,
       max(lugar) AS lugar
FROM (SELECT r.periodo, coalesce(a.persona_id, -r.id) AS persona, r.programa, r.importe,
             u.cvegeo_loc COLLATE "C" AS lugar
      FROM padron.registro r
      LEFT JOIN padron.asignacion a ON a.registro_id = r.id
      LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
      ORDER BY 2, 3, 1
      OFFSET 0) j
GROUP BY 2, 3, 1
