-- The :n most recent batches.
SELECT id AS carga, programa, periodo, archivo, filas_leidas, filas_cargadas,
       filas_rechazadas, terminada_en, usuario
FROM padron.carga ORDER BY id DESC LIMIT :n
