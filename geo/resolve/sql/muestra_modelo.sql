-- Whether record r is among those the matching model is counted on (match.estimate_model): a
-- uniform sample of the whole registry, whatever is pending, so that a roster resolved after
-- others is matched with the model the registry gives, not one counted among its own
-- neighbours (born the same days: a small roster's model took the same birth date for weak
-- evidence). Valid CURPs are sampled whole (a person's records stay together), other records
-- one by one: those whose hash falls in the first {corte} of 2^20 buckets. An expression, not
-- a statement: resolver.sample_expression formats it into load_every_record.sql and
-- load_for_matching.sql as {muestra}, computed as each record is read (a temporary table of
-- the sample cost a scan of the registry before the read: 1.5 s at seed size).
((hashtext(CASE WHEN r.curp_valida THEN r.curp ELSE r.id::text END) & 1048575) < {corte})
