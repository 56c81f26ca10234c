-- Hash joins on (:permitir 'on') or off ('off') for the rest of the transaction, as SET LOCAL
-- would; a null :permitir puts back the value RESET would. geo.resolve.resolver.
-- load_for_matching turns them off for load_for_matching.sql alone, whose joins on the record
-- id the planner costs as hashes of every record, although merging the tables in id order
-- takes half the time.
SELECT set_config('enable_hashjoin', coalesce(CAST(:permitir AS text), reset_val), true)
FROM pg_settings WHERE name = 'enable_hashjoin'
