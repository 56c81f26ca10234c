-- Coverage of every program of one period (:periodo, '' = none) at every level, from the
-- batches :cargas (all the period's batches), and the period's program combinations.
-- The counting rule (docs/coverage.md): a person is a resolved persona_id, or a record held
-- without one; in a period each person lives in one place, that of their most recent placed
-- record (FH_ALTA, then a record placed in a locality, then the newest record), and counts
-- there once in every program they receive in the period, with all their records and amounts
-- of that program. A person none of whose records is placed in a municipality counts nowhere.
-- Levels nest: locality (or none) -> municipality -> district -> region -> state.
DELETE FROM analisis.cobertura WHERE periodo = :periodo;
DELETE FROM analisis.combinacion WHERE periodo = :periodo;
-- The work goes through unlogged tables created and dropped in this transaction (the refresh's
-- lock keeps their names to one refresh at a time), not temporary ones: PostgreSQL never scans a
-- temporary table with parallel workers, and these are millions of rows at seed size. Each step
-- is a CREATE TABLE AS (whose query may run in parallel, unlike INSERT ... SELECT), analysed so
-- that the next one is planned on real row counts; the INSERTs read the small aggregates.
DROP TABLE IF EXISTS analisis.trabajo_registro, analisis.trabajo_residencia,
    analisis.trabajo_programa, analisis.trabajo_cobertura, analisis.trabajo_combinacion;
CREATE UNLOGGED TABLE analisis.trabajo_registro AS
SELECT coalesce(a.persona_id, -r.id) AS persona, r.id, r.programa, r.importe, r.fecha_alta,
       u.cvegeo_loc, coalesce(l.cvegeo_mun, u.cvegeo_mun) AS cvegeo_mun
FROM padron.registro r
LEFT JOIN padron.asignacion a ON a.registro_id = r.id
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
-- The period as a plain comparison (not coalesce(periodo, '')): the planner then estimates the
-- rows from the column's statistics and joins by hashing, not by one index probe per record.
WHERE r.carga_id = ANY(CAST(:cargas AS bigint[]))
  AND (r.periodo = :periodo OR (r.periodo IS NULL AND :periodo = ''));
ANALYZE analisis.trabajo_registro;
CREATE UNLOGGED TABLE analisis.trabajo_residencia AS
SELECT DISTINCT ON (x.persona) x.persona, x.cvegeo_loc, x.cvegeo_mun, m.distrito, m.region,
       left(x.cvegeo_mun, 2) AS cve_ent
FROM analisis.trabajo_registro x
JOIN boundaries.municipio m ON m.cvegeo = x.cvegeo_mun
ORDER BY x.persona, x.fecha_alta DESC NULLS LAST, x.cvegeo_loc IS NULL, x.id DESC;
ANALYZE analisis.trabajo_residencia;
-- Each person's listings of each program: one row per person and program, then one per person
-- with their exact set of programs. The levels are grouping sets over these rows (hashed: no
-- row per person and level is ever written or sorted); grouping() sets a bit for each column
-- left out of the set, so 15 is the locality's set, 23 the municipality's, and so on.
CREATE UNLOGGED TABLE analisis.trabajo_programa AS
SELECT x.persona, x.programa, count(*) AS registros, coalesce(sum(x.importe), 0) AS importe,
       coalesce(sum(x.importe), 0)
           - coalesce((array_agg(x.importe ORDER BY x.id))[1], 0) AS importe_repetido
FROM analisis.trabajo_registro x
WHERE x.persona IN (SELECT persona FROM analisis.trabajo_residencia)
GROUP BY x.persona, x.programa;
ANALYZE analisis.trabajo_programa;
CREATE UNLOGGED TABLE analisis.trabajo_cobertura AS
SELECT p.programa,
       CASE grouping(h.cvegeo_loc, h.cvegeo_mun, h.distrito, h.region, h.cve_ent)
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(h.cvegeo_loc::text, h.cvegeo_mun::text, h.distrito, h.region, h.cve_ent) AS clave,
       count(*) AS personas, sum(p.registros) AS registros, sum(p.importe) AS importe,
       sum(p.importe_repetido) AS importe_repetido
FROM analisis.trabajo_programa p
JOIN analisis.trabajo_residencia h ON h.persona = p.persona
GROUP BY p.programa, GROUPING SETS ((h.cvegeo_loc), (h.cvegeo_mun), (h.distrito), (h.region),
                                    (h.cve_ent))
HAVING coalesce(h.cvegeo_loc::text, h.cvegeo_mun::text, h.distrito, h.region, h.cve_ent)
       IS NOT NULL;
CREATE UNLOGGED TABLE analisis.trabajo_combinacion AS
SELECT CASE grouping(h.cvegeo_loc, h.cvegeo_mun, h.distrito, h.region, h.cve_ent)
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(h.cvegeo_loc::text, h.cvegeo_mun::text, h.distrito, h.region, h.cve_ent) AS clave,
       c.programas, count(*) AS personas, sum(c.importe) AS importe
FROM (SELECT persona, array_agg(programa ORDER BY programa) AS programas, sum(importe) AS importe
      FROM analisis.trabajo_programa GROUP BY persona) c
JOIN analisis.trabajo_residencia h ON h.persona = c.persona
GROUP BY c.programas, GROUPING SETS ((h.cvegeo_loc), (h.cvegeo_mun), (h.distrito), (h.region),
                                     (h.cve_ent))
HAVING coalesce(h.cvegeo_loc::text, h.cvegeo_mun::text, h.distrito, h.region, h.cve_ent)
       IS NOT NULL;
INSERT INTO analisis.cobertura (programa, periodo, nivel, clave, personas, registros, importe,
                                importe_repetido, grupo, poblacion_grupo, cobertura)
SELECT g.programa, CAST(:periodo AS text), a.nivel, a.clave, coalesce(x.personas, 0),
       coalesce(x.registros, 0), coalesce(x.importe, 0), coalesce(x.importe_repetido, 0), g.grupo,
       p.poblacion, coalesce(x.personas, 0) / nullif(p.poblacion, 0)
FROM unnest(CAST(:programas AS text[]), CAST(:grupos AS text[])) AS g (programa, grupo)
CROSS JOIN analisis.area a
CROSS JOIN LATERAL (SELECT (a.poblacion ->> g.grupo)::float8 AS poblacion) p
LEFT JOIN analisis.trabajo_cobertura x
       ON x.programa = g.programa AND x.nivel = a.nivel AND x.clave = a.clave;
INSERT INTO analisis.combinacion (periodo, nivel, clave, programas, personas, importe)
SELECT CAST(:periodo AS text), nivel, clave, programas, personas, importe
FROM analisis.trabajo_combinacion;
DROP TABLE analisis.trabajo_registro, analisis.trabajo_residencia, analisis.trabajo_programa,
    analisis.trabajo_cobertura, analisis.trabajo_combinacion;
