-- Municipalities and localities loaded: the reference schema exists and holds data.
SELECT (SELECT count(*) FROM boundaries.municipio), (SELECT count(*) FROM boundaries.localidad)
