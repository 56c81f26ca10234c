-- The registry's counts taken beside the coverage refresh (geo.pipeline) run in this backend
-- alone, without parallel workers: so they use the core that the refresh's per-person pass
-- leaves idle rather than contend with its parallel joins (seed size: the refresh and the
-- publication took 24.7-25.7 s one after the other, 24.7-24.8 s with the counts beside in
-- parallel workers, 21.9 s with them on one core). On one core, records, places and
-- assignments are read through their primary keys in id order and merged rather than hashed
-- (seed size with a 100,000-row roster: the three counts took 9.9 s hashed, 6.1 s merged, and
-- they are what a refresh that adds a roster waits for). For this transaction only.
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL enable_hashjoin = off
