-- Geocode the records of batch :carga whose ids lie in [:desde, :hasta] into padron.ubicacion,
-- set-based; a record's place depends on its own fields alone, so a batch split into id ranges
-- (geocoded side by side, geo/geocode/locate.py) gets the places it would get whole.
-- Order of trust: the croquis point when it agrees with the declared place (or can be repaired
-- into it), then the declared locality (by key, then by name within the municipality), then
-- the municipality. Names are matched once per distinct spelling. See docs/geocoding.md.

-- JIT compilation cost more than it saved: these statements look expensive to the planner (row
-- counts of temporary tables are guesses), and compiling them took 5 of 11 s on 111,000 records.
SET LOCAL jit = off;

DELETE FROM padron.ubicacion
WHERE carga_id = :carga AND registro_id BETWEEN :desde AND :hasta;

-- 1. Declared keys that exist.
CREATE TEMP TABLE g_r ON COMMIT DROP AS
SELECT r.id, r.carga_id, r.nom_mun, r.nom_loc, r.cve_loc, r.cp,
       m.cvegeo AS mun_clave,
       (r.cve_mun IS NOT NULL AND m.cvegeo IS NULL) AS mun_clave_inexistente,
       r.lon_declarada AS x, r.lat_declarada AS y
FROM padron.registro r
LEFT JOIN boundaries.municipio m ON m.cvegeo = coalesce(r.cve_ent, :cve_ent) || r.cve_mun
WHERE r.carga_id = :carga AND r.id BETWEEN :desde AND :hasta;

-- 2. Municipality names: exact, then without honorifics, then the clearly best trigram match.
CREATE TEMP TABLE g_mun_nombre ON COMMIT DROP AS
-- (Each distinct spelling is normalised once, and MATERIALIZED keeps it so: DISTINCT over the
-- normalised forms ran the functions on every record without a key, 40,000 of 800,000 at seed
-- size, 0.7 s; inlined, they would run again in each lookup below.)
WITH nombres AS MATERIALIZED (
    SELECT nom_mun, boundaries.nombre_clave(nom_mun) AS clave,
           boundaries.nombre_nucleo(nom_mun) AS nucleo
    FROM (SELECT DISTINCT nom_mun FROM g_r WHERE mun_clave IS NULL AND nom_mun IS NOT NULL) d
)
SELECT n.nom_mun,
       CASE WHEN ex.n = 1 THEN ex.cvegeo
            WHEN ex.n IS NULL AND nu.n = 1 THEN nu.cvegeo
            WHEN ex.n IS NULL AND nu.n IS NULL THEN tg.cvegeo END AS cvegeo,
       coalesce(ex.n, nu.n, CASE WHEN tg.cvegeo IS NOT NULL THEN 1 END, 0) AS candidatos,
       CASE WHEN ex.n IS NOT NULL OR nu.n IS NOT NULL THEN 'nombre'
            WHEN tg.cvegeo IS NOT NULL THEN 'nombre_aproximado' END AS via
FROM nombres n
LEFT JOIN LATERAL (
    SELECT min(m.cvegeo) AS cvegeo, count(*) AS n FROM boundaries.municipio m
    WHERE m.nom_clave = n.clave HAVING count(*) > 0
) ex ON true
LEFT JOIN LATERAL (
    SELECT min(m.cvegeo) AS cvegeo, count(*) AS n FROM boundaries.municipio m
    WHERE m.nom_nucleo = n.nucleo HAVING count(*) > 0
) nu ON true
LEFT JOIN LATERAL (
    -- Only for a name matched neither way (the only case that reads it).
    SELECT (array_agg(c.cvegeo ORDER BY c.s DESC))[1] AS cvegeo
    FROM (SELECT m.cvegeo, similarity(m.nom_nucleo, n.nucleo) AS s FROM boundaries.municipio m
          WHERE ex.n IS NULL AND nu.n IS NULL
          ORDER BY s DESC LIMIT 2) c
    HAVING max(c.s) >= 0.6 AND max(c.s) - min(c.s) >= 0.1
) tg ON true;

-- 3. Declared municipality per record; when neither key nor name settles it, a postal code
-- whose SEPOMEX settlements all lie in one municipality does (if the operator loaded SEPOMEX).
CREATE TEMP TABLE g_cp ON COMMIT DROP AS
SELECT cp, min(cvegeo_mun) AS cvegeo
FROM boundaries.codigo_postal
WHERE cp IN (SELECT DISTINCT cp FROM g_r WHERE cp IS NOT NULL)
GROUP BY cp HAVING count(DISTINCT cvegeo_mun) = 1;

CREATE TEMP TABLE g_m ON COMMIT DROP AS
SELECT r.id, r.carga_id, r.x, r.y, r.nom_loc, r.cve_loc, r.mun_clave_inexistente,
       coalesce(r.mun_clave, mn.cvegeo, cp.cvegeo) AS mun,
       CASE WHEN r.mun_clave IS NOT NULL THEN 'clave'
            WHEN mn.cvegeo IS NOT NULL THEN mn.via
            WHEN cp.cvegeo IS NOT NULL THEN 'codigo_postal' END AS mun_via,
       (r.mun_clave IS NULL AND mn.candidatos > 1 AND cp.cvegeo IS NULL) AS mun_ambiguo,
       (r.mun_clave IS NULL AND r.nom_mun IS NOT NULL AND mn.candidatos = 0) AS mun_no_encontrado
FROM g_r r
LEFT JOIN g_mun_nombre mn ON r.mun_clave IS NULL AND mn.nom_mun = r.nom_mun
LEFT JOIN g_cp cp ON r.mun_clave IS NULL AND coalesce(mn.cvegeo, '') = '' AND cp.cp = r.cp;

-- 4. Locality names within their municipality (names repeat across municipalities).
CREATE TEMP TABLE g_loc_nombre ON COMMIT DROP AS
WITH nombres AS MATERIALIZED (
    SELECT mun, nom_loc, boundaries.nombre_clave(nom_loc) AS clave
    FROM (SELECT DISTINCT m.mun, m.nom_loc
          FROM g_m m
          LEFT JOIN boundaries.localidad l ON l.cvegeo = m.mun || m.cve_loc
          WHERE m.mun IS NOT NULL AND m.nom_loc IS NOT NULL AND l.cvegeo IS NULL) d
)
SELECT n.mun, n.nom_loc,
       CASE WHEN ex.n = 1 THEN ex.cvegeo WHEN ex.n IS NULL THEN tg.cvegeo END AS cvegeo,
       coalesce(ex.n, CASE WHEN tg.cvegeo IS NOT NULL THEN 1 END, 0) AS candidatos,
       CASE WHEN ex.n IS NOT NULL THEN 'nombre' WHEN tg.cvegeo IS NOT NULL THEN 'nombre_aproximado' END AS via
FROM nombres n
LEFT JOIN LATERAL (
    SELECT min(l.cvegeo) AS cvegeo, count(*) AS n FROM boundaries.localidad l
    WHERE l.cvegeo_mun = n.mun AND l.nom_clave = n.clave HAVING count(*) > 0
) ex ON true
LEFT JOIN LATERAL (
    SELECT (array_agg(c.cvegeo ORDER BY c.s DESC))[1] AS cvegeo
    FROM (SELECT l.cvegeo, similarity(l.nom_clave, n.clave) AS s FROM boundaries.localidad l
          WHERE l.cvegeo_mun = n.mun AND ex.n IS NULL ORDER BY s DESC LIMIT 2) c
    HAVING max(c.s) >= 0.6 AND (count(*) = 1 OR max(c.s) - min(c.s) >= 0.1)
) tg ON true;

-- 5. Declared place per record, and the croquis point with its two classic repairs.
CREATE TEMP TABLE g_d ON COMMIT DROP AS
SELECT m.id, m.carga_id, m.x, m.y, m.mun, m.mun_via, m.mun_ambiguo, m.mun_no_encontrado,
       m.mun_clave_inexistente,
       coalesce(lk.cvegeo, ln.cvegeo) AS loc,
       CASE WHEN lk.cvegeo IS NOT NULL THEN 'clave' ELSE ln.via END AS loc_via,
       (m.cve_loc IS NOT NULL AND m.mun IS NOT NULL AND lk.cvegeo IS NULL) AS loc_clave_inexistente,
       (lk.cvegeo IS NULL AND ln.candidatos > 1) AS loc_ambigua,
       (lk.cvegeo IS NULL AND m.nom_loc IS NOT NULL AND m.mun IS NOT NULL
        AND coalesce(ln.candidatos, 0) = 0) AS loc_no_encontrada,
       CASE WHEN m.x IS NULL OR m.y IS NULL THEN NULL
            WHEN m.x = 0 AND m.y = 0 THEN 'coord_cero'
            -- Out of range both ways round: swapped latitude/longitude are tested later.
            WHEN (abs(m.x) > 180 OR abs(m.y) > 90) AND (abs(m.y) > 180 OR abs(m.x) > 90)
                THEN 'coord_fuera_de_rango' END AS invalida,
       ST_SetSRID(ST_MakePoint(m.x, m.y), 4326) AS p
FROM g_m m
LEFT JOIN boundaries.localidad lk ON lk.cvegeo = m.mun || m.cve_loc
LEFT JOIN g_loc_nombre ln ON lk.cvegeo IS NULL AND ln.mun = m.mun AND ln.nom_loc = m.nom_loc;

-- Each declared place once: its locality's point and polygon, and the point a record without a
-- trusted croquis falls back to (the locality's point, else the municipal seat's, else a point on
-- the municipality), so that the pass below looks them up by a hash, not an index per record.
CREATE TEMP TABLE g_lugar ON COMMIT DROP AS
SELECT coalesce(p.mun, '') AS mun_clave, coalesce(p.loc, '') AS loc_clave,
       l.geom AS loc_punto, lp.geom AS loc_poligono,
       CASE WHEN p.loc IS NOT NULL THEN l.geom
            WHEN p.mun IS NOT NULL THEN coalesce(cab.geom, ST_PointOnSurface(mu.geom)) END AS respaldo
FROM (SELECT DISTINCT mun, loc FROM g_d) p
LEFT JOIN boundaries.localidad l ON l.cvegeo = p.loc
LEFT JOIN boundaries.localidad_poligono lp ON lp.cvegeo = p.loc
LEFT JOIN boundaries.localidad cab ON cab.cvegeo = p.mun || '0001'
LEFT JOIN boundaries.municipio mu ON mu.cvegeo = p.mun;

-- 6. Per record, in one pass: whether its point is in the declared municipality (inside it or
-- within the boundary tolerance, since boundaries and census points are of different vintages,
-- or near the declared locality's point) and, only when it is not, the repairs and the other
-- tests; the point to trust; whether it agrees with the declared locality (within
-- :radio_rural metres of INEGI's point, or inside, within about :margen_urbano metres of, the
-- locality's polygon when it has one); and, 7., without a declared locality, the locality a
-- trusted point names: the polygon that contains it, or the nearest locality point of its
-- municipality within :radio_rural metres. (OFFSET 0 keeps each test from being repeated
-- wherever its result is read.)
-- Inserted in record order: the rows came out of the join above by place, and resolution reads
-- the places merged with the records by id (geo/resolve/sql/load_for_matching.sql), which over
-- a heap in place order visited its pages at random (seed size: that read 16-17 s instead of
-- 23-26 s; the sort costs geocoding about a second).
INSERT INTO padron.ubicacion (registro_id, carga_id, cvegeo_mun, cvegeo_loc, precision, confianza, banderas, geom)
SELECT d.id, d.carga_id,
       coalesce(d.mun, a.mun_punto),
       coalesce(d.loc, a.loc_punto),
       CASE WHEN usa_croquis AND a.problema IS NULL THEN 'croquis'
            WHEN usa_croquis THEN 'croquis_corregido'
            WHEN d.loc IS NOT NULL THEN 'localidad'
            WHEN d.mun IS NOT NULL THEN 'municipio'
            ELSE 'sin_ubicar' END,
       CASE WHEN usa_croquis AND d.mun IS NULL THEN 0.6
            WHEN usa_croquis AND a.problema IS NULL THEN CASE WHEN d.loc IS NOT NULL THEN 0.95 ELSE 0.85 END
            WHEN usa_croquis THEN 0.75
            WHEN d.loc IS NOT NULL THEN CASE d.loc_via WHEN 'clave' THEN 0.8 WHEN 'nombre' THEN 0.7 ELSE 0.55 END
            WHEN d.mun IS NOT NULL THEN CASE d.mun_via WHEN 'codigo_postal' THEN 0.2 ELSE 0.3 END
            ELSE 0 END,
       array_remove(ARRAY[
           d.invalida,
           a.problema,
           CASE WHEN a.cerca_loc = false THEN 'coord_lejos_de_localidad' END,
           CASE WHEN d.mun IS NULL AND a.mun_punto IS NOT NULL THEN 'sin_lugar_declarado' END,
           CASE WHEN d.mun_ambiguo THEN 'municipio_ambiguo' END,
           CASE WHEN d.mun_no_encontrado THEN 'municipio_no_encontrado' END,
           CASE WHEN d.mun_clave_inexistente THEN 'clave_mun_inexistente' END,
           CASE WHEN d.loc_ambigua THEN 'localidad_ambigua' END,
           CASE WHEN d.loc_no_encontrada THEN 'localidad_no_encontrada' END,
           CASE WHEN d.loc_clave_inexistente THEN 'clave_loc_inexistente' END,
           CASE WHEN 'nombre_aproximado' IN (d.mun_via, d.loc_via) THEN 'nombre_aproximado' END,
           CASE WHEN d.mun_via = 'codigo_postal' THEN 'municipio_por_cp' END
       ], NULL),
       CASE WHEN usa_croquis THEN a.q
            ELSE g.respaldo END
FROM g_d d
JOIN g_lugar g ON g.mun_clave = coalesce(d.mun, '') AND g.loc_clave = coalesce(d.loc, '')
LEFT JOIN LATERAL (
    SELECT f.q, f.mun_punto, f.problema,
           CASE WHEN f.q IS NULL OR d.loc IS NULL THEN NULL
                -- Degrees for polygons (distance to a detailed polygon on the spheroid is
                -- costly): :margen_urbano / 111,320 m per degree, which errs on the generous
                -- side in longitude.
                ELSE ST_DWithin(g.loc_punto::geography, f.q::geography, :radio_rural)
                     OR coalesce(ST_DWithin(g.loc_poligono, f.q, :margen_urbano / 111320.0), false)
           END AS cerca_loc,
           CASE WHEN f.q IS NOT NULL AND d.loc IS NULL
                     AND coalesce(d.mun, f.mun_punto) IS NOT NULL THEN coalesce(
               (SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
                WHERE lp.cvegeo LIKE coalesce(d.mun, f.mun_punto) || '%' AND ST_Covers(lp.geom, f.q) LIMIT 1),
               (SELECT l.cvegeo FROM boundaries.localidad l
                WHERE l.cvegeo_mun = coalesce(d.mun, f.mun_punto)
                  AND ST_DWithin(l.geom::geography, f.q::geography, :radio_rural)
                ORDER BY l.geom <-> f.q LIMIT 1)
           ) END AS loc_punto
    FROM (
        SELECT c.mun_punto,
               CASE WHEN c.en_mun OR c.mun_punto IS NOT NULL THEN d.p
                    WHEN c.en_mun_con_signo THEN ST_SetSRID(ST_MakePoint(-d.x, d.y), 4326)
                    WHEN c.en_mun_invertida THEN ST_SetSRID(ST_MakePoint(d.y, d.x), 4326) END AS q,
               CASE WHEN c.en_mun THEN NULL
                    WHEN c.en_mun_con_signo THEN 'coord_signo_corregido'
                    WHEN c.en_mun_invertida THEN 'coord_invertida_corregida'
                    WHEN d.x > 0 AND d.mun IS NOT NULL THEN 'coord_signo'
                    WHEN NOT c.en_estado THEN 'coord_fuera_de_oaxaca'
                    WHEN d.mun IS NOT NULL THEN 'coord_fuera_de_municipio' END AS problema
        FROM (
            SELECT m.en_mun,
                   CASE WHEN NOT m.en_mun THEN EXISTS (
                       SELECT 1 FROM boundaries.estado_subdividido s WHERE ST_Covers(s.geom, d.p))
                   END AS en_estado,
                   CASE WHEN NOT m.en_mun THEN d.x > 0 AND EXISTS (
                       SELECT 1 FROM boundaries.municipio_subdividido s
                       WHERE s.clave = d.mun AND ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(-d.x, d.y), 4326)))
                   END AS en_mun_con_signo,
                   CASE WHEN NOT m.en_mun THEN EXISTS (
                       SELECT 1 FROM boundaries.municipio_subdividido s
                       WHERE s.clave = d.mun AND ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(d.y, d.x), 4326)))
                   END AS en_mun_invertida,
                   -- Without a declared municipality, the one the point falls in.
                   CASE WHEN d.mun IS NULL THEN (SELECT s.clave FROM boundaries.municipio_subdividido s
                                                 WHERE ST_Covers(s.geom, d.p) LIMIT 1) END AS mun_punto
            FROM (
                SELECT EXISTS (SELECT 1 FROM boundaries.municipio_subdividido s
                               WHERE s.clave = d.mun AND ST_DWithin(s.geom, d.p, :margen_urbano / 111320.0))
                       OR coalesce(ST_DWithin(g.loc_punto::geography, d.p::geography, :radio_rural), false)
                       AS en_mun
                OFFSET 0
            ) m
            OFFSET 0
        ) c
        OFFSET 0
    ) f
    WHERE d.p IS NOT NULL AND d.invalida IS NULL
    OFFSET 0
) a ON true
CROSS JOIN LATERAL (SELECT a.q IS NOT NULL AND coalesce(a.cerca_loc, true) AS usa_croquis) u
ORDER BY d.id;
