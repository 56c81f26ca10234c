-- Localities of municipality :municipio with the records geocoding placed in each (those with
-- at least one), by name; a range on padron.ubicacion's locality index (in byte order,
-- migration 0018).
SELECT l.cvegeo, l.nom_loc, l.pobtot, n.registros
FROM (SELECT u.cvegeo_loc, count(*)::int AS registros
      FROM padron.ubicacion u
      WHERE u.cvegeo_loc COLLATE "C" BETWEEN :municipio || '0000' AND :municipio || '9999'
        AND u.cvegeo_mun = :municipio
      GROUP BY 1) n
JOIN boundaries.localidad l ON l.cvegeo = n.cvegeo_loc
ORDER BY l.nom_loc, l.cvegeo
