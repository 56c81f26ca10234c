-- One record (:registro_id) with its person, location and the declared locality's point, if
-- it is in the user's area (:municipios, null for all; as in search_records.sql).
SELECT r.id AS registro_id, r.carga_id, r.programa, r.periodo, r.folio, r.curp,
       r.curp_valida, r.primer_ap, r.segundo_ap, r.nombre, r.fecha_nacimiento, r.sexo,
       r.fecha_alta, r.importe, r.tipovial, r.nomvial, r.numext, r.numint, r.tipoasen,
       r.nomasen, r.cp, r.descrubic, r.cve_ent, r.cve_mun, r.cve_loc, r.nom_mun, r.nom_loc,
       r.banderas AS banderas_registro, a.persona_id,
       u.precision, u.confianza, u.banderas AS banderas_ubicacion, u.cvegeo_mun, u.cvegeo_loc,
       ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat,
       l.nom_loc AS localidad_ubicada,
       ST_X(ld.geom) AS lon_localidad_declarada, ST_Y(ld.geom) AS lat_localidad_declarada,
       ld.nom_loc AS localidad_declarada
FROM padron.registro r
LEFT JOIN padron.asignacion a ON a.registro_id = r.id
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
LEFT JOIN boundaries.localidad ld ON ld.cvegeo = r.cve_ent || r.cve_mun || r.cve_loc
WHERE r.id = :registro_id
  AND (CAST(:municipios AS text[]) IS NULL
       OR coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) = ANY(CAST(:municipios AS text[])))
