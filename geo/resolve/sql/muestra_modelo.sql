-- The records the matching model is counted on (geo.resolve.match.estimate_model), set apart
-- for load_for_matching.sql: a uniform sample of the whole registry, whatever is pending, so that
-- a roster resolved after others is matched with the model the registry gives, not one counted
-- among its own neighbours (born the same days: a small roster's model took the same birth date
-- for weak evidence). Valid CURPs are sampled whole (a person's records stay together), other
-- records one by one: those whose hash falls in the first :corte of 2^20 buckets.
CREATE TEMP TABLE muestra_modelo (id bigint PRIMARY KEY) ON COMMIT DROP;

INSERT INTO muestra_modelo
SELECT id FROM padron.registro
WHERE (hashtext(CASE WHEN curp_valida THEN curp ELSE id::text END) & 1048575) < :corte;

ANALYZE muestra_modelo;
