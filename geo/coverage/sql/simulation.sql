-- A new program's target population (census group :grupo) in each eligible locality, the
-- persons current programs already reach there among it, and the totals over all eligible
-- localities (window columns); the :limite localities with most people not yet reached.
WITH objetivo AS (
    SELECT a.clave, a.nombre, a.nom_mun, a.gm, a.fuente_marginacion, a.pobtot,
           (a.poblacion ->> :grupo)::float8 AS poblacion
    FROM analisis.area a
    WHERE a.nivel = 'localidad' AND a.pobtot >= :poblacion_min
      AND (cardinality(CAST(:grados AS text[])) = 0 OR a.gm = ANY(CAST(:grados AS text[])))
      AND (cardinality(CAST(:municipios AS text[])) = 0
           OR a.cvegeo_mun = ANY(CAST(:municipios AS text[])))
      AND (cardinality(CAST(:localidades AS text[])) = 0
           OR a.clave = ANY(CAST(:localidades AS text[])))
),
atendidos AS (
    SELECT u.cvegeo_loc AS clave, count(DISTINCT coalesce(a.persona_id, -r.id)) AS personas
    FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    WHERE u.cvegeo_loc COLLATE "C" IN (SELECT clave FROM objetivo)  -- the index's order (0018)
      AND (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
      AND (CAST(:programas AS text[]) IS NULL OR r.programa = ANY(CAST(:programas AS text[])))
      AND (CAST(:sexo AS text) IS NULL OR r.sexo = :sexo)
      AND (NOT :con_edad OR date_part('year', age(coalesce(r.fecha_alta,
               CASE WHEN r.periodo ~ '^\d{4}' THEN make_date(left(r.periodo, 4)::int, 1, 1) END,
               current_date), r.fecha_nacimiento)) BETWEEN :edad_min AND :edad_max)
    GROUP BY u.cvegeo_loc
)
SELECT o.clave AS cvegeo, o.nombre AS nom_loc, o.nom_mun, o.gm, o.fuente_marginacion,
       o.pobtot, round(o.poblacion) AS poblacion_objetivo,
       coalesce(x.personas, 0) AS ya_atendidos,
       greatest(round(o.poblacion) - coalesce(x.personas, 0), 0) AS sin_atender,
       coalesce(x.personas, 0) / nullif(o.poblacion, 0) AS cobertura_actual,
       count(*) OVER () AS localidades,
       sum(round(o.poblacion)) OVER () AS total_objetivo,
       sum(coalesce(x.personas, 0)) OVER () AS total_atendidos
FROM objetivo o LEFT JOIN atendidos x ON x.clave = o.clave
ORDER BY sin_atender DESC, o.clave
LIMIT :limite
