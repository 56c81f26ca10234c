-- Best available marginality per locality of one state (:cve_ent):
--   1. IML, CONAPO's locality index, when loaded;
--   2. otherwise IMU, the urban AGEB index aggregated to the locality: the population-weighted
--      mean index of its AGEBs, graded with the range of indices each grade spans among the
--      loaded AGEBs of that year (the nearest range when the mean falls between two);
--   3. otherwise IMM, the locality's municipality.
-- Each source uses its newest loaded year. Grades of different universes are not equivalent
-- (an urban "Alto" is not a municipal "Alto"): that is why the source travels with the grade.
DELETE FROM boundaries.marginacion_mejor WHERE left(cvegeo, 2) = :cve_ent;

WITH iml AS (
    SELECT DISTINCT ON (cvegeo) cvegeo, anio, gm, im
    FROM boundaries.marginacion_localidad
    WHERE left(cvegeo, 2) = :cve_ent AND gm IS NOT NULL
    ORDER BY cvegeo, anio DESC
),
imu_year AS (
    SELECT max(anio) AS anio FROM boundaries.marginacion_ageb WHERE left(cve_ageb, 2) = :cve_ent
),
imu_ranges AS (
    SELECT a.gm, min(a.im) AS lo, max(a.im) AS hi
    FROM boundaries.marginacion_ageb a JOIN imu_year y USING (anio)
    WHERE a.im IS NOT NULL AND a.gm IS NOT NULL
    GROUP BY a.gm
),
imu AS (
    SELECT a.cvegeo_loc AS cvegeo, a.anio,
           sum(a.im * a.pob_total) / sum(a.pob_total) AS im
    FROM boundaries.marginacion_ageb a JOIN imu_year y USING (anio)
    WHERE a.im IS NOT NULL AND a.pob_total > 0 AND left(a.cve_ageb, 2) = :cve_ent
    GROUP BY a.cvegeo_loc, a.anio
),
imu_graded AS (
    SELECT imu.cvegeo, imu.anio, imu.im,
           (SELECT r.gm FROM imu_ranges r
            ORDER BY greatest(r.lo - imu.im, imu.im - r.hi, 0), r.lo LIMIT 1) AS gm
    FROM imu
),
imm AS (
    SELECT DISTINCT ON (cvegeo) cvegeo, anio, gm, im
    FROM boundaries.marginacion_municipal
    WHERE left(cvegeo, 2) = :cve_ent
    ORDER BY cvegeo, anio DESC
)
INSERT INTO boundaries.marginacion_mejor (cvegeo, anio, gm, im, fuente)
SELECT l.cvegeo,
       coalesce(iml.anio, imu_graded.anio, imm.anio),
       coalesce(iml.gm, imu_graded.gm, imm.gm),
       CASE WHEN iml.cvegeo IS NOT NULL THEN iml.im
            WHEN imu_graded.cvegeo IS NOT NULL THEN imu_graded.im
            ELSE imm.im END,
       CASE WHEN iml.cvegeo IS NOT NULL THEN 'IML'
            WHEN imu_graded.cvegeo IS NOT NULL THEN 'IMU'
            ELSE 'IMM' END
FROM boundaries.localidad l
LEFT JOIN iml USING (cvegeo)
LEFT JOIN imu_graded USING (cvegeo)
LEFT JOIN imm ON imm.cvegeo = l.cvegeo_mun
WHERE l.cve_ent = :cve_ent
  AND coalesce(iml.anio, imu_graded.anio, imm.anio) IS NOT NULL;
