-- Coverage of every program of one period (:periodo) at every level, and the period's program
-- combinations, from what changed in the period's kept rows per person and program
-- (analisis.trabajo_filas, each row with its sign): every kept row when the period was recomputed
-- whole (keep_persons.sql), or the touched persons' new rows and their old ones negated when it
-- was brought up to date (patch_persons.sql, :cambios), whose counts are then added to the
-- stored ones. Levels nest: locality (or none) -> municipality -> district -> region -> state.
-- :programas and :grupos: the period's programs and the census group each is measured against;
-- :orden: the programs in the order of the kept rows' bit strings.
DROP TABLE IF EXISTS analisis.trabajo_cobertura, analisis.trabajo_combinacion,
    analisis.trabajo_area;
-- Each program's persons, listings and amounts by place (municipality and locality, or none),
-- then the five levels as grouping sets over these few thousand rows: counts add up, since
-- each person lives in one place. grouping() sets a bit for each column left out of the set,
-- so 15 is the locality's set, 23 the municipality's, and so on. A person without a place
-- counts nowhere. Brought up to date, the stored figures are added: a few thousand rows
-- instead of a pass over the period's millions (seed size with a 100,000-row roster: this
-- statement and the next took 0.35 and 0.31 s, against 1.95 and 1.53 s counted from every
-- kept row).
CREATE UNLOGGED TABLE analisis.trabajo_cobertura AS
SELECT programa, nivel, clave, sum(personas)::bigint AS personas,
       sum(registros)::bigint AS registros, sum(importe) AS importe,
       sum(importe_repetido) AS importe_repetido
FROM (
SELECT f.programa,
       CASE grouping(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           AS clave,
       sum(f.personas)::bigint AS personas, sum(f.registros)::bigint AS registros,
       sum(f.importe) AS importe, sum(f.importe_repetido) AS importe_repetido
FROM (SELECT programa, cvegeo_mun, cvegeo_loc, sum(signo) AS personas,
             sum(signo * registros) AS registros, sum(signo * importe) AS importe,
             sum(signo * importe_repetido) AS importe_repetido
      FROM analisis.trabajo_filas
      WHERE cvegeo_mun IS NOT NULL
      GROUP BY programa, cvegeo_mun, cvegeo_loc) f
JOIN boundaries.municipio m ON m.cvegeo = f.cvegeo_mun
GROUP BY f.programa, GROUPING SETS ((f.cvegeo_loc), (f.cvegeo_mun), (m.distrito), (m.region),
                                    (left(f.cvegeo_mun, 2)))
HAVING coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
       IS NOT NULL
UNION ALL
SELECT programa, nivel, clave, personas, registros, importe, importe_repetido
FROM analisis.cobertura
WHERE periodo = :periodo AND CAST(:cambios AS boolean)) c
GROUP BY programa, nivel, clave;
ANALYZE analisis.trabajo_cobertura;
-- Persons and what they are paid by place and set of programs, rolled up the same way; the bit
-- string becomes the sorted array of the programs it names (kept rows written before a program
-- was appended to the period's order have shorter strings: the same set). A set no person has
-- any more is left out.
CREATE UNLOGGED TABLE analisis.trabajo_combinacion AS
SELECT nivel, clave, programas, sum(personas)::bigint AS personas, sum(importe) AS importe
FROM (
SELECT CASE grouping(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           WHEN 15 THEN 'localidad' WHEN 23 THEN 'municipio' WHEN 27 THEN 'distrito'
           WHEN 29 THEN 'region' ELSE 'estado' END AS nivel,
       coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
           AS clave,
       s.programas, sum(f.personas)::bigint AS personas, sum(f.importe) AS importe
FROM (SELECT programas::text AS programas, cvegeo_mun, cvegeo_loc, sum(signo) AS personas,
             sum(signo * importe_persona) AS importe
      FROM analisis.trabajo_filas
      WHERE primera AND cvegeo_mun IS NOT NULL
      GROUP BY 1, cvegeo_mun, cvegeo_loc) f
JOIN boundaries.municipio m ON m.cvegeo = f.cvegeo_mun
CROSS JOIN LATERAL (
    SELECT array_agg(g.programa ORDER BY g.programa COLLATE "C") AS programas
    FROM unnest(CAST(:orden AS text[])) WITH ORDINALITY AS g (programa, k)
    WHERE substr(f.programas, g.k::int, 1) = '1') s
GROUP BY s.programas, GROUPING SETS ((f.cvegeo_loc), (f.cvegeo_mun), (m.distrito), (m.region),
                                     (left(f.cvegeo_mun, 2)))
HAVING coalesce(f.cvegeo_loc, f.cvegeo_mun, m.distrito, m.region, left(f.cvegeo_mun, 2))
       IS NOT NULL
UNION ALL
SELECT nivel, clave, programas, personas, importe
FROM analisis.combinacion
WHERE periodo = :periodo AND CAST(:cambios AS boolean)) c
GROUP BY nivel, clave, programas
HAVING sum(personas) > 0;
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
DROP TABLE analisis.trabajo_cobertura, analisis.trabajo_combinacion, analisis.trabajo_area;
DROP VIEW analisis.trabajo_filas;
DROP TABLE IF EXISTS analisis.trabajo_programa, analisis.trabajo_antes;
