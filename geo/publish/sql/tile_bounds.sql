-- Longitude and latitude bounds and a centre of the loaded states, for TileJSON documents.
SELECT ST_XMin(e) AS oeste, ST_YMin(e) AS sur, ST_XMax(e) AS este, ST_YMax(e) AS norte
FROM (SELECT ST_Extent(geom)::geometry AS e FROM boundaries.estado) s
