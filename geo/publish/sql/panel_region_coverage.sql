-- Coverage of period :periodo per region: persons reached by any program (the sum over the
-- exact program sets of analisis.combinacion, so nobody counts twice) against the census
-- population; and per program, against the program's target group.
SELECT a.clave AS region, a.pobtot AS poblacion,
       coalesce((SELECT sum(c.personas)::int FROM analisis.combinacion c
                 WHERE c.periodo = :periodo AND c.nivel = 'region' AND c.clave = a.clave), 0)
           AS personas,
       coalesce((SELECT jsonb_object_agg(k.programa, jsonb_build_object(
                            'personas', k.personas, 'grupo', k.grupo,
                            'poblacion_grupo', k.poblacion_grupo, 'cobertura', k.cobertura))
                 FROM analisis.cobertura k
                 WHERE k.periodo = :periodo AND k.nivel = 'region' AND k.clave = a.clave), '{}')
           AS por_programa
FROM analisis.area a
WHERE a.nivel = 'region'
ORDER BY a.clave
