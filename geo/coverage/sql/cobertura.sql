-- Coverage of every program of one period (:periodo, '' = none) at every level, from the
-- batches :cargas (all the period's batches), and the period's program combinations.
-- The counting rule (docs/coverage.md): a person is a resolved persona_id, or a record held
-- without one; in a period each person lives in one place, that of their most recent placed
-- record (FH_ALTA, then a record placed in a locality, then the newest record), and counts
-- there once in every program they receive in the period, with all their records and amounts
-- of that program. A person none of whose records is placed in a municipality counts nowhere.
-- Levels nest: locality (or none) -> municipality -> district -> region -> state.
-- The work goes through unlogged tables created and dropped in this transaction (the refresh's
-- lock keeps their names to one refresh at a time), not temporary ones: PostgreSQL never scans a
-- temporary table with parallel workers, and these are millions of rows at seed size. Each step
-- is a CREATE TABLE AS (whose query may run in parallel, unlike INSERT ... SELECT), analysed so
-- that the next one is planned on real row counts; the last statements read the small aggregates.
-- Room for the sorts and hashes of millions of rows to stay in memory (one refresh at a time;
-- for this transaction only): spilled to disk they cost more (at 0.05 of seed size with 4 MB,
-- as 64 MB fares at 0.8, about 15 % more).
SET LOCAL work_mem = '512MB';
DROP TABLE IF EXISTS analisis.trabajo_registro, analisis.trabajo_residencia,
    analisis.trabajo_programa, analisis.trabajo_cobertura, analisis.trabajo_combinacion,
    analisis.trabajo_area;
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
ANALYZE analisis.trabajo_cobertura;
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
ANALYZE analisis.trabajo_combinacion;
-- The period's new figures replace the stored ones by difference: rows that did not change are
-- left alone (not rewritten), so what a refresh writes is what it changed.
CREATE UNLOGGED TABLE analisis.trabajo_area AS
SELECT g.programa, a.nivel, a.clave, coalesce(x.personas, 0) AS personas,
       coalesce(x.registros, 0) AS registros, coalesce(x.importe, 0) AS importe,
       coalesce(x.importe_repetido, 0) AS importe_repetido, g.grupo, p.poblacion,
       coalesce(x.personas, 0) / nullif(p.poblacion, 0) AS cobertura
FROM unnest(CAST(:programas AS text[]), CAST(:grupos AS text[])) AS g (programa, grupo)
CROSS JOIN analisis.area a
CROSS JOIN LATERAL (SELECT (a.poblacion ->> g.grupo)::float8 AS poblacion) p
LEFT JOIN analisis.trabajo_cobertura x
       ON x.programa = g.programa AND x.nivel = a.nivel AND x.clave = a.clave;
ANALYZE analisis.trabajo_area;
DELETE FROM analisis.cobertura c
WHERE c.periodo = :periodo
  AND NOT EXISTS (SELECT FROM analisis.trabajo_area n
                  WHERE n.programa = c.programa AND n.nivel = c.nivel AND n.clave = c.clave);
INSERT INTO analisis.cobertura AS c (programa, periodo, nivel, clave, personas, registros,
                                     importe, importe_repetido, grupo, poblacion_grupo, cobertura)
SELECT programa, CAST(:periodo AS text), nivel, clave, personas, registros, importe,
       importe_repetido, grupo, poblacion, cobertura
FROM analisis.trabajo_area
ON CONFLICT (programa, periodo, nivel, clave) DO UPDATE
SET personas = excluded.personas, registros = excluded.registros, importe = excluded.importe,
    importe_repetido = excluded.importe_repetido, grupo = excluded.grupo,
    poblacion_grupo = excluded.poblacion_grupo, cobertura = excluded.cobertura
WHERE (c.personas, c.registros, c.importe, c.importe_repetido, c.grupo, c.poblacion_grupo,
       c.cobertura)
      IS DISTINCT FROM (excluded.personas, excluded.registros, excluded.importe,
                        excluded.importe_repetido, excluded.grupo, excluded.poblacion_grupo,
                        excluded.cobertura);
DELETE FROM analisis.combinacion c
WHERE c.periodo = :periodo
  AND NOT EXISTS (SELECT FROM analisis.trabajo_combinacion n
                  WHERE n.nivel = c.nivel AND n.clave = c.clave AND n.programas = c.programas);
INSERT INTO analisis.combinacion AS c (periodo, nivel, clave, programas, personas, importe)
SELECT CAST(:periodo AS text), nivel, clave, programas, personas, importe
FROM analisis.trabajo_combinacion
ON CONFLICT (periodo, nivel, clave, programas) DO UPDATE
SET personas = excluded.personas, importe = excluded.importe
WHERE (c.personas, c.importe) IS DISTINCT FROM (excluded.personas, excluded.importe);
DROP TABLE analisis.trabajo_registro, analisis.trabajo_residencia, analisis.trabajo_programa,
    analisis.trabajo_cobertura, analisis.trabajo_combinacion, analisis.trabajo_area;
