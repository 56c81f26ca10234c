-- Records without a person and every record that may share a block with one
-- (geo.resolve.match.blocks), read with COPY by geo.resolve.resolver.load_for_matching; the
-- columns are match.RECORD_SCHEMA's, after id and carga_id. The place is the geocoded one
-- (padron.ubicacion: the keys, or the place names when the keys are missing), else the keys.
WITH registro_lugar AS NOT MATERIALIZED (
    SELECT r.id, r.carga_id, a.persona_id, r.curp, r.curp_valida, r.primer_ap_norm,
           r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento, r.sexo, r.edo_nac,
           coalesce(substr(u.cvegeo_mun, 3, 3), r.cve_mun) AS cve_mun,
           CASE WHEN u.cvegeo_loc IS NOT NULL THEN substr(u.cvegeo_loc, 6, 4)
                WHEN u.cvegeo_mun IS NULL THEN r.cve_loc END AS cve_loc,
           r.cp
    FROM padron.registro r
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
), pendiente AS MATERIALIZED (
    SELECT fecha_nacimiento, primer_ap_norm, segundo_ap_norm, nombre_norm,
           coalesce(cve_mun, 'cp' || cp) AS sitio
    FROM registro_lugar WHERE persona_id IS NULL
), sitio_apellido AS MATERIALIZED (
    SELECT DISTINCT sitio, apellido
    FROM pendiente, unnest(ARRAY[primer_ap_norm, segundo_ap_norm]) AS apellido
    WHERE apellido IS NOT NULL AND sitio IS NOT NULL
)
SELECT r.id, r.carga_id, r.persona_id, r.curp, r.curp_valida::text, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento, r.sexo, r.edo_nac, r.cve_mun,
       r.cve_loc, r.cp
FROM registro_lugar r
WHERE r.persona_id IS NULL
   OR r.fecha_nacimiento IN (SELECT DISTINCT fecha_nacimiento FROM pendiente)
   OR (date_part('year', r.fecha_nacimiento), r.primer_ap_norm, r.nombre_norm) IN (
        SELECT DISTINCT date_part('year', fecha_nacimiento), primer_ap_norm, nombre_norm
        FROM pendiente)
   OR (coalesce(r.cve_mun, 'cp' || r.cp), r.primer_ap_norm) IN (TABLE sitio_apellido)
   OR (coalesce(r.cve_mun, 'cp' || r.cp), r.segundo_ap_norm) IN (TABLE sitio_apellido)
   OR (r.primer_ap_norm, r.nombre_norm) IN (
        SELECT DISTINCT primer_ap_norm, nombre_norm FROM pendiente
        WHERE fecha_nacimiento IS NULL AND sitio IS NULL)
   OR r.id IN (SELECT candidato_id FROM padron.revision WHERE decision IS NOT NULL)
