-- Rebuild analisis.area from the reference geography: localities, municipalities, districts,
-- regions and the state with population and marginality. Group populations are added by
-- area_group.sql.
DELETE FROM analisis.area;
INSERT INTO analisis.area (nivel, clave, nombre, cvegeo_mun, nom_mun, distrito, region, pobtot,
                           poblacion, gm, grado_orden, fuente_marginacion, anio_marginacion, geom)
SELECT 'localidad', l.cvegeo, l.nom_loc, l.cvegeo_mun, m.nom_mun, m.distrito, m.region, l.pobtot,
       '{}'::jsonb, b.gm, analisis.grado_orden(b.gm), b.fuente, b.anio, l.geom
FROM boundaries.localidad l
JOIN boundaries.municipio m ON m.cvegeo = l.cvegeo_mun
LEFT JOIN boundaries.marginacion_mejor b ON b.cvegeo = l.cvegeo;
INSERT INTO analisis.area (nivel, clave, nombre, cvegeo_mun, nom_mun, distrito, region, pobtot,
                           poblacion, gm, grado_orden, fuente_marginacion, anio_marginacion, geom)
SELECT 'municipio', m.cvegeo, m.nom_mun, m.cvegeo, m.nom_mun, m.distrito, m.region,
       coalesce(p.pobtot, 0), '{}'::jsonb, imm.gm, analisis.grado_orden(imm.gm),
       CASE WHEN imm.gm IS NOT NULL THEN 'IMM' END, imm.anio, m.geom
FROM boundaries.municipio m
LEFT JOIN (SELECT cvegeo_mun, sum(pobtot) AS pobtot FROM boundaries.localidad GROUP BY 1) p
       ON p.cvegeo_mun = m.cvegeo
LEFT JOIN LATERAL (SELECT x.gm, x.anio FROM boundaries.marginacion_municipal x
                   WHERE x.cvegeo = m.cvegeo ORDER BY x.anio DESC LIMIT 1) imm ON true;
INSERT INTO analisis.area (nivel, clave, nombre, distrito, region, pobtot, poblacion, grado_orden,
                           geom)
SELECT 'distrito', distrito, distrito, distrito, min(region), sum(pobtot), '{}'::jsonb, 0,
       ST_Multi(ST_Union(geom))
FROM analisis.area WHERE nivel = 'municipio' AND distrito IS NOT NULL GROUP BY distrito;
INSERT INTO analisis.area (nivel, clave, nombre, region, pobtot, poblacion, grado_orden, geom)
SELECT 'region', region, region, region, sum(pobtot), '{}'::jsonb, 0, ST_Multi(ST_Union(geom))
FROM analisis.area WHERE nivel = 'municipio' AND region IS NOT NULL GROUP BY region;
INSERT INTO analisis.area (nivel, clave, nombre, pobtot, poblacion, grado_orden, geom)
SELECT 'estado', e.cve_ent, e.nom_ent, sum(a.pobtot), '{}'::jsonb, 0, e.geom
FROM boundaries.estado e
JOIN analisis.area a ON a.nivel = 'municipio' AND left(a.clave, 2) = e.cve_ent
GROUP BY e.cve_ent, e.nom_ent, e.geom;
