-- The public geometry of each area (:niveles[i], :claves[i]): INEGI's point for a locality; for
-- the other levels the municipalities generalised once at load as a coverage, at zoom :zoom
-- (boundaries.municipio_generalizado), or their union stored beside them
-- (boundaries.agregado_generalizado): neighbours share their edges.
WITH pedidas AS (
    SELECT * FROM unnest(CAST(:niveles AS text[]), CAST(:claves AS text[])) AS k (nivel, clave)
)
SELECT k.nivel, k.clave, ST_AsGeoJSON(s.geom, 6) AS geojson
FROM pedidas k
CROSS JOIN LATERAL (
    SELECT a.geom FROM publico.area a
    WHERE k.nivel = 'localidad' AND a.nivel = 'localidad' AND a.clave = k.clave
    UNION ALL
    SELECT g.geom FROM boundaries.municipio_generalizado g
    WHERE k.nivel = 'municipio' AND g.zoom = :zoom AND g.cvegeo = k.clave
    UNION ALL
    SELECT g.geom FROM boundaries.agregado_generalizado g
    WHERE g.nivel = k.nivel AND g.zoom = :zoom AND g.clave = k.clave
) s
