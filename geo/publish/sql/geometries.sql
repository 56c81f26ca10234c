-- The public geometry of each area (:niveles[i], :claves[i]): INEGI's point for a locality; for
-- the other levels the municipalities generalised once at load as a coverage, at zoom :zoom
-- (boundaries.municipio_generalizado), or their union: neighbours share their edges.
WITH pedidas AS (
    SELECT * FROM unnest(CAST(:niveles AS text[]), CAST(:claves AS text[])) AS k (nivel, clave)
), municipios AS (
    SELECT m.cvegeo, m.cve_ent, m.distrito, m.region, g.geom
    FROM boundaries.municipio_generalizado g
    JOIN boundaries.municipio m ON m.cvegeo = g.cvegeo
    WHERE g.zoom = :zoom
)
SELECT k.nivel, k.clave, ST_AsGeoJSON(s.geom, 6) AS geojson
FROM pedidas k
CROSS JOIN LATERAL (
    SELECT a.geom FROM publico.area a
    WHERE k.nivel = 'localidad' AND a.nivel = 'localidad' AND a.clave = k.clave
    UNION ALL
    SELECT ST_Multi(ST_Union(m.geom)) FROM municipios m
    WHERE k.nivel <> 'localidad'
      AND CASE k.nivel WHEN 'municipio' THEN m.cvegeo WHEN 'distrito' THEN m.distrito
                       WHEN 'region' THEN m.region ELSE m.cve_ent END = k.clave
    HAVING count(*) > 0
) s
