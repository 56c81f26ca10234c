-- Coverage of every program of one period (:periodo) in every area, exact.
SELECT programa, nivel, clave, personas, registros, importe, importe_repetido, grupo,
       poblacion_grupo, cobertura
FROM analisis.cobertura
WHERE periodo = :periodo
