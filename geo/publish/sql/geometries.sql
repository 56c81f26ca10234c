-- The public geometry of each area (:niveles[i], :claves[i]): INEGI's point for a locality, a
-- simplified polygon for any other level.
SELECT a.nivel, a.clave,
       ST_AsGeoJSON(CASE WHEN a.nivel = 'localidad' THEN a.geom
                         ELSE ST_SimplifyPreserveTopology(a.geom, 0.002) END, 6) AS geojson
FROM publico.area a
JOIN unnest(CAST(:niveles AS text[]), CAST(:claves AS text[])) AS k (nivel, clave)
  ON k.nivel = a.nivel AND k.clave = a.clave
