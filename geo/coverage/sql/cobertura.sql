-- Coverage of one program (:programa) and period (:periodo, '' = none) at every level, from the
-- batches :cargas. A record without a person (not resolved) counts as a person of its own.
-- Every area gets a row, zero included; areas are those of analisis.area.
DELETE FROM analisis.cobertura WHERE programa = :programa AND periodo = :periodo;
DROP TABLE IF EXISTS pg_temp.cobertura_claves;
CREATE TEMP TABLE cobertura_claves ON COMMIT DROP AS
WITH base AS (
    SELECT coalesce(a.persona_id, -r.id) AS persona, r.importe, u.cvegeo_loc, u.cvegeo_mun
    FROM padron.registro r
    JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    WHERE r.carga_id = ANY(CAST(:cargas AS bigint[])) AND r.programa = :programa
      AND coalesce(r.periodo, '') = :periodo
)
SELECT n.nivel, n.clave, b.persona, b.importe
FROM base b
LEFT JOIN boundaries.municipio m ON m.cvegeo = b.cvegeo_mun
CROSS JOIN LATERAL (VALUES ('localidad', b.cvegeo_loc::text), ('municipio', b.cvegeo_mun::text),
                           ('distrito', m.distrito), ('region', m.region)) AS n (nivel, clave)
WHERE n.clave IS NOT NULL;
INSERT INTO analisis.cobertura (programa, periodo, nivel, clave, personas, registros, importe,
                                grupo, poblacion_grupo, cobertura)
SELECT CAST(:programa AS text), CAST(:periodo AS text), a.nivel, a.clave, coalesce(x.personas, 0), coalesce(x.registros, 0),
       coalesce(x.importe, 0), CAST(:grupo_clave AS text), p.poblacion,
       coalesce(x.personas, 0) / nullif(p.poblacion, 0)
FROM analisis.area a
CROSS JOIN LATERAL (SELECT (a.poblacion ->> CAST(:grupo_clave AS text))::float8 AS poblacion) p
LEFT JOIN (SELECT nivel, clave, count(DISTINCT persona) AS personas, count(*) AS registros,
                  sum(importe) AS importe
           FROM cobertura_claves GROUP BY nivel, clave) x
       ON x.nivel = a.nivel AND x.clave = a.clave;
