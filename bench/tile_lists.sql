-- The tiles of zoom :z over the loaded state (bench/tiles.py): those that touch the state for
-- polygon layers, those that hold at least one locality for point layers.
WITH size AS (SELECT 40075016.686 / 2 ^ :z AS s, 20037508.343 AS o),
estado AS (SELECT ST_Transform(geom, 3857) AS g FROM boundaries.estado),
extent AS (
    SELECT floor((ST_XMin(e.g) + o) / s)::int AS x0, floor((ST_XMax(e.g) + o) / s)::int AS x1,
           floor((o - ST_YMax(e.g)) / s)::int AS y0, floor((o - ST_YMin(e.g)) / s)::int AS y1
    FROM estado e, size
)
SELECT 'poligonos' AS tipo, x, y
FROM extent, generate_series(x0, x1) x, generate_series(y0, y1) y, estado e
WHERE ST_Intersects(ST_TileEnvelope(:z, x, y), e.g)
UNION ALL
SELECT DISTINCT 'puntos', floor((ST_X(l.geom_mercator) + o) / s)::int,
       floor((o - ST_Y(l.geom_mercator)) / s)::int
FROM boundaries.localidad l, size
