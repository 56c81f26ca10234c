-- The places of batch :carga's records in [:desde, :hasta] by precision and set of flags (a few
-- dozen rows), read in the range's transaction right after it is written: the report's counts
-- without a second pass over the whole batch.
SELECT precision, banderas, count(*) AS registros
FROM padron.ubicacion
WHERE carga_id = :carga AND registro_id BETWEEN :desde AND :hasta
GROUP BY precision, banderas
