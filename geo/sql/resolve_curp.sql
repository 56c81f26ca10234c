-- Deterministic resolution, incremental: only records without a person are touched, so an
-- existing persona_id never changes.
-- 1. One person per valid CURP.
INSERT INTO padron.persona (curp)
SELECT DISTINCT curp FROM padron.registro
WHERE persona_id IS NULL AND curp_valida
ON CONFLICT (curp) DO NOTHING;

UPDATE padron.registro r SET persona_id = p.id
FROM padron.persona p
WHERE r.persona_id IS NULL AND r.curp_valida AND p.curp = r.curp;

-- Fresh planner statistics: right after an ingest (or the update above) they are missing or
-- stale and the join below goes quadratic.
ANALYZE padron.registro;
ANALYZE padron.persona;

-- 2. A CURP that fails its check digit is a typo of a real CURP: it joins the person whose valid
-- CURP is one character away when birth date, sex and both normalised surnames and given
-- names agree (blocked on birth date, sex and first surname). Exactly one candidate, or none.
WITH candidatos AS (
    SELECT r.id, r.carga_id, min(p.id) AS persona_id, count(DISTINCT p.id) AS n
    FROM padron.registro r
    JOIN padron.registro v
      ON v.fecha_nacimiento = r.fecha_nacimiento AND v.sexo = r.sexo
     AND v.primer_ap_norm = r.primer_ap_norm AND v.curp_valida AND v.persona_id IS NOT NULL
    JOIN padron.persona p ON p.id = v.persona_id
    WHERE r.persona_id IS NULL AND NOT r.curp_valida AND r.curp IS NOT NULL
      AND 'curp_check_digit' = ANY (r.banderas)
      AND coalesce(v.segundo_ap_norm, '') = coalesce(r.segundo_ap_norm, '')
      AND v.nombre_norm = r.nombre_norm
      AND levenshtein(p.curp, r.curp) = 1
    GROUP BY r.id, r.carga_id
)
UPDATE padron.registro r SET persona_id = c.persona_id
FROM candidatos c
WHERE c.n = 1 AND r.id = c.id AND r.carga_id = c.carga_id;
