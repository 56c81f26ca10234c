-- Deterministic resolution, incremental: only records without a person (no row in
-- padron.asignacion) are touched, so an existing assignment never changes.
-- 1. One person per valid CURP. The records to assign are set apart first: an INSERT into
-- asignacion that tested "not in asignacion" itself could be planned, on fresh statistics of an
-- empty table, as a nested loop rescanning the rows it inserts (quadratic: 470 s for 190,000
-- records).
CREATE TEMP TABLE curp_pendiente ON COMMIT DROP AS
SELECT r.id, r.carga_id, r.curp FROM padron.registro r
WHERE r.curp_valida AND NOT EXISTS (SELECT FROM padron.asignacion a WHERE a.registro_id = r.id);

-- Fresh planner statistics: right after an ingest or the inserts below they are missing or
-- stale, and the joins below go quadratic (a nested loop over millions of persons). Without
-- them the distinct CURPs below were hashed as if 200, spilling to disk, then sorted again.
ANALYZE curp_pendiente;

-- Sorted, so that the unique index on persona.curp, where it is kept, grows at its right edge
-- instead of taking millions of random insertions (geo.resolve holds a lock: no other run adds
-- a CURP meanwhile).
INSERT INTO padron.persona (curp)
SELECT DISTINCT c.curp FROM curp_pendiente c
WHERE NOT EXISTS (SELECT FROM padron.persona p WHERE p.curp = c.curp)
ORDER BY c.curp;

ANALYZE padron.persona;

INSERT INTO padron.asignacion (registro_id, carga_id, persona_id)
SELECT c.id, c.carga_id, p.id FROM curp_pendiente c JOIN padron.persona p ON p.curp = c.curp;

-- What drop_bulk_indexes.sql dropped before a first load, as migrations 0004 and 0009 define it,
-- looked up first so that where it exists no lock is taken.
DO $$ BEGIN IF to_regclass('padron.persona_pkey') IS NULL THEN
    ALTER TABLE padron.persona ADD CONSTRAINT persona_pkey PRIMARY KEY (id)
    ; ALTER TABLE padron.persona ADD CONSTRAINT persona_curp_key UNIQUE (curp)
    ; END IF; END $$;
DO $$ BEGIN IF to_regclass('padron.asignacion_pkey') IS NULL THEN
    ALTER TABLE padron.asignacion ADD CONSTRAINT asignacion_pkey PRIMARY KEY (registro_id)
    ; END IF; END $$;
DO $$ BEGIN IF to_regclass('padron.asignacion_persona') IS NULL THEN
    CREATE INDEX asignacion_persona ON padron.asignacion (persona_id); END IF; END $$;

ANALYZE padron.registro;
ANALYZE padron.asignacion;

-- 2. A CURP that fails its check digit is a typo of a real CURP: it joins the person whose valid
-- CURP is one character away when birth date, sex and both normalised surnames and given
-- names agree (joined on birth date, sex and first surname). Exactly one candidate, or none.
-- Set apart first for the same reason as step 1, and so that the planner knows how few they
-- are: estimated through the anti-join as one row, they were compared with every person.
CREATE TEMP TABLE curp_tipeo ON COMMIT DROP AS
SELECT r.id, r.carga_id, r.curp, r.fecha_nacimiento, r.sexo, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm
FROM padron.registro r
WHERE NOT r.curp_valida AND r.curp IS NOT NULL AND 'curp_check_digit' = ANY (r.banderas)
  AND NOT EXISTS (SELECT FROM padron.asignacion a WHERE a.registro_id = r.id);

ANALYZE curp_tipeo;

-- The few typos hashed, the records with a valid CURP read once: the planner costed a merge join
-- cheaper, which sorted every such record by the five columns (on disk; at twice the seed size
-- 14.4 s against 4.3 s for the whole statement).
SET LOCAL enable_mergejoin = off;

INSERT INTO padron.asignacion (registro_id, carga_id, persona_id)
SELECT t.id, t.carga_id, min(p.id)
FROM curp_tipeo t
JOIN padron.registro v
  ON v.fecha_nacimiento = t.fecha_nacimiento AND v.sexo = t.sexo
 AND v.primer_ap_norm = t.primer_ap_norm AND v.curp_valida
JOIN padron.persona p ON p.curp = v.curp
WHERE coalesce(v.segundo_ap_norm, '') = coalesce(t.segundo_ap_norm, '')
  AND v.nombre_norm = t.nombre_norm
  AND levenshtein(p.curp, t.curp) = 1
GROUP BY t.id, t.carga_id
HAVING count(DISTINCT p.id) = 1;

RESET enable_mergejoin;
