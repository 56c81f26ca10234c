-- Every loaded municipality in Web Mercator, for the coverage simplification of generalise.py.
SELECT cvegeo, ST_AsBinary(ST_Transform(geom, 3857)) AS wkb
FROM boundaries.municipio
ORDER BY cvegeo
