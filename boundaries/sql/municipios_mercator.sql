-- Every loaded municipality in Web Mercator, with the areas it belongs to, for the coverage
-- simplification of generalise.py.
SELECT cvegeo, distrito, region, cve_ent, ST_AsBinary(ST_Transform(geom, 3857)) AS wkb
FROM boundaries.municipio
ORDER BY cvegeo
