-- Whether the point (:lon, :lat) falls in the declared municipality :cvegeo, or within
-- :margen metres of it.
SELECT mu.cvegeo, mu.nom_mun, EXISTS (
    SELECT 1 FROM boundaries.municipio_subdividido s
    WHERE s.clave = mu.cvegeo
      AND ST_DWithin(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :margen / 111320.0)
) AS coincide
FROM boundaries.municipio mu WHERE mu.cvegeo = :cvegeo
