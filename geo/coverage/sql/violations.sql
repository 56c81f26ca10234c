-- The violations of one program's rules (program :programa, period :periodo or all when
-- null), one row per record and rule broken, into the temporary table violacion of this
-- transaction.
DROP TABLE IF EXISTS pg_temp.violacion;
CREATE TEMP TABLE violacion ON COMMIT DROP AS
WITH base AS (
    SELECT r.id, r.carga_id, r.folio, r.periodo, r.sexo, r.importe, a.persona_id,
           u.cvegeo_loc, u.cvegeo_mun, b.gm,
           date_part('year', age(coalesce(r.fecha_alta,
               CASE WHEN r.periodo ~ '^\d{4}' THEN make_date(left(r.periodo, 4)::int, 1, 1) END,
               current_date), r.fecha_nacimiento))::int AS edad
    FROM padron.registro r
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN boundaries.marginacion_mejor b ON b.cvegeo = u.cvegeo_loc
    WHERE r.programa = :programa AND (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
),
checks AS (
    SELECT id, carga_id, folio, periodo, 'sin_fecha_nacimiento' AS regla, NULL::text AS detalle
    FROM base WHERE :con_edad AND edad IS NULL
    UNION ALL
    SELECT id, carga_id, folio, periodo, 'edad_fuera_de_rango', edad || ' años'
    FROM base WHERE edad < coalesce(CAST(:edad_min AS int), 0)
                 OR edad > coalesce(CAST(:edad_max AS int), 200)
    UNION ALL
    SELECT id, carga_id, folio, periodo, 'sexo_no_objetivo', sexo
    FROM base WHERE CAST(:sexo AS text) IS NOT NULL AND sexo IS DISTINCT FROM :sexo
    UNION ALL
    SELECT id, carga_id, folio, periodo, 'fuera_de_zona',
           coalesce(cvegeo_loc, cvegeo_mun, 'sin ubicar')
           || ' (' || coalesce(gm, 'sin grado') || ')'
    FROM base
    WHERE (cardinality(CAST(:grados AS text[])) > 0
           AND NOT coalesce(gm = ANY(CAST(:grados AS text[])), false))
       OR (cardinality(CAST(:municipios AS text[])) > 0
           AND NOT coalesce(cvegeo_mun = ANY(CAST(:municipios AS text[])), false))
       OR (cardinality(CAST(:localidades AS text[])) > 0
           AND NOT coalesce(cvegeo_loc = ANY(CAST(:localidades AS text[])), false))
    UNION ALL
    SELECT b.id, b.carga_id, b.folio, b.periodo, 'programa_incompatible',
           string_agg(DISTINCT o.programa, ', ')
    FROM base b
    JOIN padron.asignacion oa ON oa.persona_id = b.persona_id
    JOIN padron.registro o ON o.id = oa.registro_id AND o.carga_id = oa.carga_id
     AND o.periodo IS NOT DISTINCT FROM b.periodo
     AND o.programa = ANY(CAST(:incompatibles AS text[]))
    GROUP BY b.id, b.carga_id, b.folio, b.periodo
    UNION ALL
    SELECT b.id, b.carga_id, b.folio, b.periodo, 'importe_distinto',
           coalesce(b.importe::text, 'sin importe') || ' en vez de ' || m.importe
    FROM base b JOIN (SELECT unnest(CAST(:montos_periodo AS text[])) AS periodo,
                             unnest(CAST(:montos_importe AS numeric[])) AS importe) m
      ON m.periodo = b.periodo
    WHERE b.importe IS DISTINCT FROM m.importe
)
SELECT * FROM checks;
