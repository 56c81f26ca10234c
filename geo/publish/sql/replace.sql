-- The publication copied into staging.sql's tables replaces the stored one by difference: rows
-- gone are deleted, new or changed rows written, the rest left alone.
ANALYZE pg_temp.cifra_nueva;
ANALYZE pg_temp.indicador_nueva;
ANALYZE pg_temp.bandera_nueva;
DELETE FROM analisis.cifra c
WHERE NOT EXISTS (SELECT FROM pg_temp.cifra_nueva n
                  WHERE n.periodo = c.periodo AND n.programa = c.programa AND n.nivel = c.nivel
                    AND n.clave = c.clave);
INSERT INTO analisis.cifra AS c
SELECT * FROM pg_temp.cifra_nueva
ON CONFLICT (periodo, programa, nivel, clave) DO UPDATE
SET personas = excluded.personas, importe = excluded.importe, grupo = excluded.grupo,
    poblacion = excluded.poblacion, cobertura = excluded.cobertura,
    suprimida = excluded.suprimida
WHERE (c.personas, c.importe, c.grupo, c.poblacion, c.cobertura, c.suprimida)
      IS DISTINCT FROM (excluded.personas, excluded.importe, excluded.grupo, excluded.poblacion,
                        excluded.cobertura, excluded.suprimida);
DELETE FROM analisis.indicador c
WHERE NOT EXISTS (SELECT FROM pg_temp.indicador_nueva n
                  WHERE n.periodo = c.periodo AND n.programa = c.programa
                    AND n.indicador = c.indicador);
INSERT INTO analisis.indicador AS c
SELECT * FROM pg_temp.indicador_nueva
ON CONFLICT (periodo, programa, indicador) DO UPDATE
SET valor = excluded.valor, suprimida = excluded.suprimida
WHERE (c.valor, c.suprimida) IS DISTINCT FROM (excluded.valor, excluded.suprimida);
DELETE FROM analisis.bandera c
WHERE NOT EXISTS (SELECT FROM pg_temp.bandera_nueva n
                  WHERE n.cvegeo_mun = c.cvegeo_mun AND n.bandera = c.bandera);
INSERT INTO analisis.bandera AS c
SELECT * FROM pg_temp.bandera_nueva
ON CONFLICT (cvegeo_mun, bandera) DO UPDATE
SET registros = excluded.registros, suprimida = excluded.suprimida
WHERE (c.registros, c.suprimida) IS DISTINCT FROM (excluded.registros, excluded.suprimida);
