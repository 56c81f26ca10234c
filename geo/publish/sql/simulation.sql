-- A new program's target population (census group :grupo) in each eligible locality and, when
-- :columna is given (a target of everybody, one program or all of them), the persons the
-- publication shows reached there in period :periodo (NULL where suppressed; a locality without
-- a row had none); the totals over all eligible localities (the persons only when none is
-- suppressed); the :limite localities with most people not yet reached as far as published
-- figures tell, then the largest.
WITH objetivo AS (
    SELECT a.clave, a.nombre, a.nom_mun, a.gm, a.fuente_marginacion, a.pobtot,
           (a.poblacion ->> :grupo)::float8 AS poblacion
    FROM publico.area a
    WHERE a.nivel = 'localidad' AND a.pobtot >= :poblacion_min
      AND (cardinality(CAST(:grados AS text[])) = 0 OR a.gm = ANY(CAST(:grados AS text[])))
      AND (cardinality(CAST(:municipios AS text[])) = 0
           OR a.cvegeo_mun = ANY(CAST(:municipios AS text[])))
      AND (cardinality(CAST(:localidades AS text[])) = 0
           OR a.clave = ANY(CAST(:localidades AS text[])))
),
alcance AS (
    SELECT clave, personas, suprimida FROM publico.cifra
    WHERE periodo = :periodo AND nivel = 'localidad' AND programa = :columna
),
atendidos AS (
    SELECT o.*, CASE WHEN CAST(:columna AS text) IS NULL OR x.suprimida THEN NULL
                     ELSE coalesce(x.personas, 0) END AS personas
    FROM objetivo o LEFT JOIN alcance x ON x.clave = o.clave
),
filas AS (
    SELECT clave AS cvegeo, nombre AS nom_loc, nom_mun, gm, fuente_marginacion, pobtot,
           round(poblacion) AS poblacion_objetivo, personas AS ya_atendidos,
           CASE WHEN personas IS NOT NULL
                THEN greatest(round(poblacion) - personas, 0) END AS sin_atender,
           personas / nullif(poblacion, 0) AS cobertura_actual
    FROM atendidos
)
SELECT f.*, count(*) OVER () AS localidades,
       sum(f.poblacion_objetivo) OVER () AS total_objetivo,
       CASE WHEN count(f.ya_atendidos) OVER () = count(*) OVER ()
            THEN sum(f.ya_atendidos) OVER () END AS total_atendidos
FROM filas f
ORDER BY f.sin_atender DESC NULLS LAST, f.poblacion_objetivo DESC NULLS LAST, f.cvegeo
LIMIT :limite
