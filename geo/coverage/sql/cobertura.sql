-- Coverage of every program of one period (:periodo, '' = none) at every level, from the
-- batches :cargas (all the period's batches), and the period's program combinations.
-- The counting rule (docs/coverage.md): a person is a resolved persona_id, or a record held
-- without one; in a period each person lives in one place, that of their most recent placed
-- record (FH_ALTA, then a record placed in a locality, then the newest record), and counts
-- there once in every program they receive in the period, with all their records and amounts
-- of that program. A person none of whose records is placed in a municipality counts nowhere.
-- Levels nest: locality (or none) -> municipality -> district -> region -> state.
-- The records are read once, into one row per person and program (millions at seed size);
-- everything after reads that table into aggregates of a few thousand rows. The work goes
-- through unlogged tables created and dropped in this transaction (the refresh's lock keeps
-- their names to one refresh at a time), not temporary ones: PostgreSQL never scans a temporary
-- table with parallel workers. Each step is a CREATE TABLE AS (whose query may run in parallel,
-- unlike INSERT ... SELECT), analysed so that the next one is planned on real row counts.
-- Room for the sorts of millions of rows to stay in memory (one refresh at a time; for this
-- transaction only): spilled to disk they cost more (at 0.05 of seed size with 4 MB, as 64 MB
-- fares at 0.8, about 15 % more).
SET LOCAL work_mem = '512MB';
DROP TABLE IF EXISTS analisis.trabajo_programa, analisis.trabajo_cobertura,
    analisis.trabajo_combinacion, analisis.trabajo_area;
-- One row per person and program, straight from the records, with what the person's rows share:
-- where they live in the period, their exact set of programs and what all their listings pay.
-- The place is a key whose greatest value (bytewise) is the record the counting rule chooses:
-- FH_ALTA as a day number (none = 0), 1 if placed in a locality, the record id, then the
-- record's municipality and locality; records not placed in a municipality of the state have
-- none. The set of programs is a bit string (bit k = the k-th of :programas, which is sorted).
-- importe_repetido is what the listings pay beyond the first one (by id); primera marks one
-- row of each person. The records are joined and sorted in parallel workers and merged; the
-- groups are then formed once, in order (the subquery's ORDER BY ... OFFSET 0 keeps the planner
-- from aggregating in the workers first: with about one record per group that halved nothing
-- and added a second pass, 14.1 -> 13.3 s at seed size), and feed the person's window without
-- a second sort.
SET LOCAL enable_hashagg = off;
CREATE UNLOGGED TABLE analisis.trabajo_programa AS
SELECT persona, programa, registros, importe, importe_repetido,
       substr(max(lugar) OVER persona, 31, 5) AS cvegeo_mun,
       nullif(substr(max(lugar) OVER persona, 36), '') AS cvegeo_loc,
       bit_or(set_bit(repeat('0', cardinality(CAST(:programas AS text[])))::varbit,
                      array_position(CAST(:programas AS text[]), programa) - 1, 1))
           OVER persona AS programas,
       sum(importe) OVER persona AS importe_persona,
       row_number() OVER persona = 1 AS primera
FROM (SELECT persona, programa, count(*) AS registros, coalesce(sum(importe), 0) AS importe,
             coalesce(sum(importe), 0) - coalesce((min(ARRAY[id, importe]))[2], 0)
                 AS importe_repetido,
             max(lugar) AS lugar
      FROM (SELECT coalesce(a.persona_id, -r.id) AS persona, r.programa, r.id, r.importe,
                   CASE WHEN m.cvegeo IS NOT NULL THEN
                       lpad(coalesce(r.fecha_alta - date '4714-11-24 BC' + 1, 0)::text, 10, '0')
                       || (u.cvegeo_loc IS NOT NULL)::int || lpad(r.id::text, 19, '0')
                       || m.cvegeo || coalesce(u.cvegeo_loc, '')
                   END COLLATE "C" AS lugar
            FROM padron.registro r
            LEFT JOIN padron.asignacion a ON a.registro_id = r.id
            LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
            LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
            LEFT JOIN boundaries.municipio m ON m.cvegeo = coalesce(l.cvegeo_mun, u.cvegeo_mun)
            -- The period as a plain comparison (not coalesce(periodo, '')): the planner then
            -- estimates the rows from the column's statistics and joins by hashing, not by one
            -- index probe per record.
            WHERE r.carga_id = ANY(CAST(:cargas AS bigint[]))
              AND (r.periodo = :periodo OR (r.periodo IS NULL AND :periodo = ''))
            ORDER BY 1, 2
            OFFSET 0) j
      GROUP BY 1, 2) x
WINDOW persona AS (PARTITION BY persona);
RESET enable_hashagg;
-- Its places and sets of programs are tens of thousands among millions of rows: told so (the
-- product of each column's distinct values is far more), the planner aggregates them below in
-- parallel workers, not in one process (seed size: 1.6 + 1.4 s -> 1.0 + 0.9 s).
CREATE STATISTICS analisis.trabajo_programa_lugares (ndistinct)
    ON programa, cvegeo_mun, cvegeo_loc FROM analisis.trabajo_programa;
CREATE STATISTICS analisis.trabajo_programa_conjuntos (ndistinct)
    ON programas, cvegeo_mun, cvegeo_loc FROM analisis.trabajo_programa;
ANALYZE analisis.trabajo_programa;
-- Each program's persons, listings and amounts by place (municipality and locality, or none),
-- then the five levels as grouping sets over these few thousand rows: counts add up, since
-- each person lives in one place. grouping() sets a bit for each column left out of the set,
-- so 15 is the locality's set, 23 the municipality's, and so on. A person without a place
-- counts nowhere.
CREATE UNLOGGED TABLE analisis.trabajo_cobertura AS
SELECT f.programa,
       CASE grouping(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           AS clave,
       sum(f.personas)::bigint AS personas, sum(f.registros)::bigint AS registros,
       sum(f.importe) AS importe, sum(f.importe_repetido) AS importe_repetido
FROM (SELECT programa, cvegeo_mun, cvegeo_loc, count(*) AS personas,
             sum(registros) AS registros, sum(importe) AS importe,
             sum(importe_repetido) AS importe_repetido
      FROM analisis.trabajo_programa
      WHERE cvegeo_mun IS NOT NULL
      GROUP BY programa, cvegeo_mun, cvegeo_loc) f
JOIN boundaries.municipio m ON m.cvegeo = f.cvegeo_mun
GROUP BY f.programa, GROUPING SETS ((f.cvegeo_loc), (f.cvegeo_mun), (m.distrito), (m.region),
                                    (left(f.cvegeo_mun, 2)))
HAVING coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
       IS NOT NULL;
ANALYZE analisis.trabajo_cobertura;
-- Persons and what they are paid by place and set of programs, rolled up the same way; the bit
-- string becomes the sorted array of the programs it names.
CREATE UNLOGGED TABLE analisis.trabajo_combinacion AS
SELECT CASE grouping(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           AS clave,
       s.programas, sum(f.personas)::bigint AS personas, sum(f.importe) AS importe
FROM (SELECT programas::text AS programas, cvegeo_mun, cvegeo_loc, count(*) AS personas,
             sum(importe_persona) AS importe
      FROM analisis.trabajo_programa
      WHERE primera AND cvegeo_mun IS NOT NULL
      GROUP BY 1, cvegeo_mun, cvegeo_loc) f
JOIN boundaries.municipio m ON m.cvegeo = f.cvegeo_mun
CROSS JOIN LATERAL (
    SELECT array_agg(g.programa ORDER BY g.k) AS programas
    FROM unnest(CAST(:programas AS text[])) WITH ORDINALITY AS g (programa, k)
    WHERE substr(f.programas, g.k::int, 1) = '1') s
GROUP BY s.programas, GROUPING SETS ((f.cvegeo_loc), (f.cvegeo_mun), (m.distrito), (m.region),
                                     (left(f.cvegeo_mun, 2)))
HAVING coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
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
DROP TABLE analisis.trabajo_programa, analisis.trabajo_cobertura, analisis.trabajo_combinacion,
    analisis.trabajo_area;
