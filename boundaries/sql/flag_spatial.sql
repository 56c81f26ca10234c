-- Which municipality polygon contains each locality (its point, or a point on its polygon's
-- surface). Keys stay as INEGI published them: a disagreement is flagged, never "corrected",
-- because the key states the administrative membership and boundaries move between releases.
UPDATE boundaries.localidad l
SET mun_espacial = m.cvegeo
FROM boundaries.municipio m
WHERE l.cve_ent = :cve_ent AND ST_Covers(m.geom, l.geom);

UPDATE boundaries.localidad_poligono p
SET mun_espacial = m.cvegeo
FROM boundaries.municipio m
WHERE p.cve_ent = :cve_ent AND ST_Covers(m.geom, ST_PointOnSurface(p.geom));

UPDATE boundaries.localidad
SET fuera_de_municipio = mun_espacial IS DISTINCT FROM cvegeo_mun
WHERE cve_ent = :cve_ent;

UPDATE boundaries.localidad_poligono
SET fuera_de_municipio = mun_espacial IS DISTINCT FROM cve_ent || cve_mun
WHERE cve_ent = :cve_ent;

-- Subdivided polygons used by geocoding follow the polygons.
REFRESH MATERIALIZED VIEW boundaries.municipio_subdividido;

REFRESH MATERIALIZED VIEW boundaries.estado_subdividido;
