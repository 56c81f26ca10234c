-- The rows one period's coverage is counted from (:periodo, '' = none; docs/coverage.md): one
-- per person and program, from the batches :cargas (all the period's batches), read from
-- analisis.trabajo_registro. With :todas, every person of the period (a period recomputed
-- whole: every record, every_record.sql; the rows are kept afterwards as the period's partition
-- of analisis.persona_programa, keep_persons.sql); otherwise the persons of
-- analisis.trabajo_tocada (their records, touched_records.sql), whose kept rows these replace
-- (patch_persons.sql).
-- The counting rule: a person is a resolved persona_id, or a record held without one; in a
-- period each person lives in one place, that of their most recent placed record (FH_ALTA,
-- then a record placed in a locality, then the newest record), and counts there once in every
-- program they receive in the period, with all their records and amounts of that program. A
-- person none of whose records is placed in a municipality counts nowhere.
-- The work goes through unlogged tables (the refresh's lock keeps their names to one refresh
-- at a time), not temporary ones: PostgreSQL never scans a temporary table with parallel
-- workers. Each step is a CREATE TABLE AS (whose query may run in parallel, unlike INSERT ...
-- SELECT), analysed so that the next one is planned on real row counts.
-- Room for the sorts of millions of rows to stay in memory (one refresh at a time; for this
-- transaction only): spilled to disk they cost more (at 0.05 of seed size with 4 MB, as 64 MB
-- fares at 0.8, about 15 % more).
SET LOCAL work_mem = '512MB';
DROP TABLE IF EXISTS analisis.trabajo_programa;
-- One row per person and program, straight from the records, with what the person's rows share:
-- where they live in the period, their exact set of programs and what all their listings pay.
-- The place is a key whose greatest value (bytewise) is the record the counting rule chooses:
-- FH_ALTA as a day number (none = 0), 1 if placed in a locality, the record id, then the
-- record's municipality and locality; records not placed in a municipality of the state have
-- none. The set of programs is a bit string (bit k = the k-th of :programas, the order kept in
-- analisis.refresco_periodo: new programs are appended, so kept rows keep their meaning).
-- importe_repetido is what the listings pay beyond the first one (by id); primera marks one
-- row of each person. The records are joined and sorted in parallel workers and merged; the
-- groups are then formed once, in order (the subquery's ORDER BY ... OFFSET 0 keeps the planner
-- from aggregating in the workers first: with about one record per group that halved nothing
-- and added a second pass, 14.1 -> 13.3 s at seed size), and feed the person's window without
-- a second sort.
SET LOCAL enable_hashagg = off;
CREATE UNLOGGED TABLE analisis.trabajo_programa AS
SELECT CAST(:periodo AS text) AS periodo, persona, programa, registros, importe, importe_repetido,
       substr(max(lugar) OVER persona, 31, 5) AS cvegeo_mun,
       nullif(substr(max(lugar) OVER persona, 36), '') AS cvegeo_loc,
       CAST(bit_or(set_bit(repeat('0', cardinality(CAST(:programas AS text[])))::varbit,
                           array_position(CAST(:programas AS text[]), programa) - 1, 1))
                OVER persona AS varbit) AS programas,
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
            FROM analisis.trabajo_registro r
            LEFT JOIN padron.asignacion a ON a.registro_id = r.id
            LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
            LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
            LEFT JOIN boundaries.municipio m ON m.cvegeo = coalesce(l.cvegeo_mun, u.cvegeo_mun)
            -- The period as a plain comparison (not coalesce(periodo, '')): the planner then
            -- estimates the rows from the column's statistics and joins by hashing, not by one
            -- index probe per record.
            WHERE r.carga_id = ANY(CAST(:cargas AS bigint[]))
              AND (r.periodo = :periodo OR (r.periodo IS NULL AND :periodo = ''))
              -- Only touched persons' rows (a record may have changed person since they were
              -- found); with :todas, a bound constant, the planner drops the test.
              AND (CAST(:todas AS boolean)
                   OR coalesce(a.persona_id, -r.id)
                      IN (SELECT persona FROM analisis.trabajo_tocada))
            ORDER BY 1, 2
            OFFSET 0) j
      GROUP BY 1, 2) x
WINDOW persona AS (PARTITION BY persona);
RESET enable_hashagg;
