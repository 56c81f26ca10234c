-- Add the population of one census group (:clave; ages :edad_min-:edad_max, sex :sexo) to
-- analisis.area.poblacion. Five-year census groups that straddle the range count in proportion
-- to the years they share with it (85+ is taken as 85-100). Where the census suppressed a group
-- that the range needs, the locality's POBTOT times the group's share in the state is used.
DROP TABLE IF EXISTS pg_temp.grupo_localidad;
CREATE TEMP TABLE grupo_localidad ON COMMIT DROP AS
WITH partes AS (
    SELECT e.cvegeo, e.poblacion,
           greatest(0, least(coalesce(e.edad_max, 100), :edad_max)
                       - greatest(e.edad_min, :edad_min) + 1)::float8
           / (coalesce(e.edad_max, 100) - e.edad_min + 1) AS parte
    FROM boundaries.poblacion_edad e
    WHERE e.sexo = :sexo
)
SELECT l.cvegeo, l.pobtot, sum(p.poblacion * p.parte) AS poblacion,
       coalesce(bool_or(p.parte > 0 AND p.poblacion IS NULL), true) AS suprimida
FROM boundaries.localidad l LEFT JOIN partes p ON p.cvegeo = l.cvegeo
GROUP BY l.cvegeo, l.pobtot;
UPDATE grupo_localidad g SET poblacion = g.pobtot * s.proporcion
FROM (SELECT sum(poblacion) / nullif(sum(pobtot), 0) AS proporcion
      FROM grupo_localidad WHERE NOT suprimida) s
WHERE g.suprimida;
UPDATE analisis.area a SET poblacion = a.poblacion || jsonb_build_object(CAST(:clave AS text), round(g.poblacion))
FROM grupo_localidad g WHERE a.nivel = 'localidad' AND a.clave = g.cvegeo;
UPDATE analisis.area a SET poblacion = a.poblacion || jsonb_build_object(CAST(:clave AS text), s.poblacion)
FROM (SELECT n.nivel, n.clave, sum((l.poblacion ->> CAST(:clave AS text))::float8) AS poblacion
      FROM analisis.area l
      CROSS JOIN LATERAL (VALUES ('municipio', l.cvegeo_mun), ('distrito', l.distrito),
                                 ('region', l.region),
                                 ('estado', left(l.cvegeo_mun, 2))) AS n (nivel, clave)
      WHERE l.nivel = 'localidad' AND n.clave IS NOT NULL
      GROUP BY n.nivel, n.clave) s
WHERE a.nivel = s.nivel AND a.clave = s.clave;
