SELECT carga_id, count(*) AS filas FROM analisis.trabajo_cambio GROUP BY carga_id
