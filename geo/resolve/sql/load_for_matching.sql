-- Records without a person and every record that may share a block with one
-- (geo.resolve.match.blocks), read with COPY by geo.resolve.resolver.load_for_matching; the
-- columns are match.RECORD_SCHEMA's, after id and carga_id. The place is the geocoded one
-- (padron.ubicacion: the keys, or the place names when the keys are missing), else the keys.
-- Also every record of the persons without a CURP (sin_curp) and, when there are such persons,
-- of those created in this run for new CURPs (curp_nueva): persona_estado.sql. And the sample
-- the model is counted on ({muestra}: muestra_modelo.sql); the records without a person are
-- those of pendientes.sql (temp tables of this transaction, with their statistics). {prefijo}
-- is match.PREFIX_LENGTH (blocking rule 7: names that begin alike, ordered bytewise as Polars
-- does).
-- Records, assignments and places are joined on the record id with hash joins off
-- (hash_joins.sql, set by the caller): each table is read in id order through its primary key
-- and merged, instead of hashing millions of rows (at seed size 20 s instead of 33-40 s, the
-- rows already in id order). The persons' state is joined through their records
-- (registro_estado), so that the assignments are read by record id, not by person.
-- Only when few records are pending: with more, resolver.EVERY_RECORD_FROM, every record is read
-- while the CURP rules run (load_every_record.sql) and its person after them
-- (load_assignments.sql).
WITH registro_estado AS MATERIALIZED (
    SELECT a.registro_id, e.sin_curp, e.curp_nueva
    FROM persona_estado e JOIN padron.asignacion a ON a.persona_id = e.id
), registro_lugar AS NOT MATERIALIZED (
    SELECT r.id, r.carga_id, a.persona_id, r.curp, r.curp_valida, r.primer_ap_norm,
           r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento, r.sexo, r.edo_nac,
           coalesce(substr(u.cvegeo_mun, 3, 3), r.cve_mun) AS cve_mun,
           CASE WHEN u.cvegeo_loc IS NOT NULL THEN substr(u.cvegeo_loc, 6, 4)
                WHEN u.cvegeo_mun IS NULL THEN r.cve_loc END AS cve_loc,
           r.cp, coalesce(e.sin_curp, false) AS sin_curp,
           coalesce(e.curp_nueva, false) AS curp_nueva,
           {muestra} AS muestra
    FROM padron.registro r
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN registro_estado e ON e.registro_id = r.id
), pendiente AS MATERIALIZED (
    SELECT fecha_nacimiento, primer_ap_norm, segundo_ap_norm, nombre_norm,
           coalesce(cve_mun, 'cp' || cp) AS sitio
    FROM registro_lugar WHERE id IN (TABLE pendiente_registro)
), sitio_apellido AS MATERIALIZED (
    SELECT DISTINCT sitio, apellido
    FROM pendiente, unnest(ARRAY[primer_ap_norm, segundo_ap_norm]) AS apellido
    WHERE apellido IS NOT NULL AND sitio IS NOT NULL
), sitio_prefijos AS MATERIALIZED (
    SELECT DISTINCT sitio,
           least(left(primer_ap_norm, {prefijo}) COLLATE "C", left(nombre_norm, {prefijo})),
           greatest(left(primer_ap_norm, {prefijo}) COLLATE "C", left(nombre_norm, {prefijo})),
           coalesce(left(segundo_ap_norm, 1), '')
    FROM pendiente
    WHERE primer_ap_norm IS NOT NULL AND nombre_norm IS NOT NULL AND sitio IS NOT NULL
)
SELECT r.id, r.carga_id, r.persona_id, r.curp, r.curp_valida::text, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento, r.sexo, r.edo_nac, r.cve_mun,
       r.cve_loc, r.cp, r.sin_curp::text, r.curp_nueva::text, r.muestra::text
FROM registro_lugar r
WHERE r.persona_id IS NULL
   OR r.muestra
   OR r.sin_curp OR r.curp_nueva
   OR r.fecha_nacimiento IN (SELECT DISTINCT fecha_nacimiento FROM pendiente)
   OR (date_part('year', r.fecha_nacimiento), r.primer_ap_norm, r.nombre_norm) IN (
        SELECT DISTINCT date_part('year', fecha_nacimiento), primer_ap_norm, nombre_norm
        FROM pendiente)
   OR (coalesce(r.cve_mun, 'cp' || r.cp), r.primer_ap_norm) IN (TABLE sitio_apellido)
   OR (coalesce(r.cve_mun, 'cp' || r.cp), r.segundo_ap_norm) IN (TABLE sitio_apellido)
   OR (r.primer_ap_norm, r.nombre_norm) IN (
        SELECT DISTINCT primer_ap_norm, nombre_norm FROM pendiente
        WHERE fecha_nacimiento IS NULL AND sitio IS NULL)
   OR (coalesce(r.cve_mun, 'cp' || r.cp),
       least(left(r.primer_ap_norm, {prefijo}) COLLATE "C", left(r.nombre_norm, {prefijo})),
       greatest(left(r.primer_ap_norm, {prefijo}) COLLATE "C", left(r.nombre_norm, {prefijo})),
       coalesce(left(r.segundo_ap_norm, 1), '')) IN (TABLE sitio_prefijos)
   OR r.id IN (SELECT candidato_id FROM padron.revision WHERE decision IS NOT NULL)
