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
    analisis.trabajo_claves, analisis.trabajo_cobertura, analisis.trabajo_combinacion;
CREATE UNLOGGED TABLE analisis.trabajo_registro AS
SELECT coalesce(a.persona_id, -r.id) AS persona, r.id, r.programa, r.importe, r.fecha_alta,
       u.cvegeo_loc, coalesce(l.cvegeo_mun, u.cvegeo_mun) AS cvegeo_mun
FROM padron.registro r
LEFT JOIN padron.asignacion a ON a.registro_id = r.id
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
WHERE r.carga_id = ANY(CAST(:cargas AS bigint[])) AND coalesce(r.periodo, '') = :periodo;
ANALYZE analisis.trabajo_registro;
CREATE UNLOGGED TABLE analisis.trabajo_residencia AS
SELECT DISTINCT ON (x.persona) x.persona, x.cvegeo_loc, x.cvegeo_mun, m.distrito, m.region,
       left(x.cvegeo_mun, 2) AS cve_ent
FROM analisis.trabajo_registro x
JOIN boundaries.municipio m ON m.cvegeo = x.cvegeo_mun
ORDER BY x.persona, x.fecha_alta DESC NULLS LAST, x.cvegeo_loc IS NULL, x.id DESC;
ANALYZE analisis.trabajo_residencia;
CREATE UNLOGGED TABLE analisis.trabajo_claves AS
SELECT n.nivel, n.clave, p.persona, p.programa, p.registros, p.importe, p.importe_repetido
FROM (SELECT persona, programa, count(*) AS registros, coalesce(sum(importe), 0) AS importe,
             coalesce(sum(importe) FILTER (WHERE orden > 1), 0) AS importe_repetido
      FROM (SELECT persona, programa, importe,
                   row_number() OVER (PARTITION BY persona, programa ORDER BY id) AS orden
            FROM analisis.trabajo_registro) r
      GROUP BY persona, programa) p
JOIN analisis.trabajo_residencia h ON h.persona = p.persona
CROSS JOIN LATERAL (VALUES ('localidad', h.cvegeo_loc::text), ('municipio', h.cvegeo_mun::text),
                           ('distrito', h.distrito), ('region', h.region),
                           ('estado', h.cve_ent::text)) AS n (nivel, clave)
WHERE n.clave IS NOT NULL;
ANALYZE analisis.trabajo_claves;
CREATE UNLOGGED TABLE analisis.trabajo_cobertura AS
SELECT programa, nivel, clave, count(*) AS personas, sum(registros) AS registros,
       sum(importe) AS importe, sum(importe_repetido) AS importe_repetido
FROM analisis.trabajo_claves GROUP BY programa, nivel, clave;
CREATE UNLOGGED TABLE analisis.trabajo_combinacion AS
SELECT nivel, clave, programas, count(*) AS personas, sum(importe) AS importe
FROM (SELECT nivel, clave, persona, array_agg(programa ORDER BY programa) AS programas,
             sum(importe) AS importe
      FROM analisis.trabajo_claves GROUP BY nivel, clave, persona) conjuntos
GROUP BY nivel, clave, programas;
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
DROP TABLE analisis.trabajo_registro, analisis.trabajo_residencia, analisis.trabajo_claves,
    analisis.trabajo_cobertura, analisis.trabajo_combinacion;
