-- The places stored, counted only as far as :n (the records about to be geocoded): whether a
-- run is larger than what is placed already, without counting a large registry whole.
SELECT count(*) FROM (SELECT FROM padron.ubicacion LIMIT :n) AS p
