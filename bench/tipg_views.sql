-- The project's tile layers as plain views for tipg (bench/tiles.py): the same columns from the
-- same tables, in the geometry tipg reads (SRID 4326, transformed per tile). Coverage: the
-- newest period, every program, as the service's tiles without filters.
DROP SCHEMA IF EXISTS bench_tipg CASCADE;
CREATE SCHEMA bench_tipg;
CREATE VIEW bench_tipg.municipios AS
SELECT m.cvegeo, m.nom_mun, m.region, m.distrito, m.pob_2020, imm.gm, imm.im, m.geom
FROM boundaries.municipio m
LEFT JOIN LATERAL (SELECT x.gm, x.im FROM boundaries.marginacion_municipal x
                   WHERE x.cvegeo = m.cvegeo ORDER BY x.anio DESC LIMIT 1) imm ON true;
CREATE VIEW bench_tipg.localidades AS
SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot, b.gm, b.fuente, l.geom
FROM boundaries.localidad l
LEFT JOIN boundaries.marginacion_mejor b ON b.cvegeo = l.cvegeo;
CREATE VIEW bench_tipg.localidades_poligonos AS
SELECT p.cvegeo, p.nom_loc, p.cve_ent || p.cve_mun AS cvegeo_mun, p.ambito, p.pob_2020,
       p.viv_2020, p.geom
FROM boundaries.localidad_poligono p;
CREATE VIEW bench_tipg.cobertura_municipios AS
SELECT a.clave AS cvegeo, a.nombre AS nom_mun, a.distrito, a.region, a.pobtot, a.gm,
       coalesce(x.personas, 0) AS personas,
       round(coalesce(x.personas, 0)::numeric / nullif(a.pobtot, 0), 5)::float8 AS cobertura,
       ST_Multi(a.geom)::geometry(MultiPolygon, 4326) AS geom
FROM analisis.area a
LEFT JOIN (SELECT clave, sum(personas) AS personas FROM analisis.combinacion
           WHERE nivel = 'municipio'
             AND periodo = (SELECT max(periodo) FROM analisis.refresco)
           GROUP BY clave) x ON x.clave = a.clave
WHERE a.nivel = 'municipio';
CREATE VIEW bench_tipg.cobertura_localidades AS
SELECT a.clave AS cvegeo, a.nombre AS nom_loc, a.nom_mun, a.pobtot, a.gm,
       a.fuente_marginacion AS fuente, coalesce(x.personas, 0) AS personas,
       round(coalesce(x.personas, 0)::numeric / nullif(a.pobtot, 0), 5)::float8 AS cobertura,
       a.geom::geometry(Point, 4326) AS geom
FROM analisis.area a
LEFT JOIN (SELECT clave, sum(personas) AS personas FROM analisis.combinacion
           WHERE nivel = 'localidad'
             AND periodo = (SELECT max(periodo) FROM analisis.refresco)
           GROUP BY clave) x ON x.clave = a.clave
WHERE a.nivel = 'localidad';
