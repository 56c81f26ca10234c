-- The households (records) that geocoding placed in localities :localidades, inside the
-- user's area (:municipios, null for all), with what a visit needs; at most :limite rows.
-- (COLLATE "C": the collation of padron.ubicacion's locality index, migration 0018.)
SELECT r.id AS registro_id, r.carga_id, r.programa, r.periodo, r.folio, r.curp,
       r.nombre, r.primer_ap, r.segundo_ap, r.fecha_nacimiento, r.sexo,
       r.tipovial, r.nomvial, r.numext, r.numint, r.tipoasen, r.nomasen, r.cp, r.descrubic,
       u.cvegeo_loc, l.nom_loc, u.precision, ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat
FROM padron.ubicacion u
JOIN padron.registro r ON r.id = u.registro_id AND r.carga_id = u.carga_id
JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
WHERE u.cvegeo_loc COLLATE "C" = ANY(CAST(:localidades AS text[]))
  AND (CAST(:municipios AS text[]) IS NULL OR u.cvegeo_mun = ANY(CAST(:municipios AS text[])))
ORDER BY l.nom_loc, r.primer_ap, r.segundo_ap, r.nombre, r.programa, r.id
LIMIT :limite
