-- The registry's counts taken beside the coverage refresh (geo.pipeline) run in this backend
-- alone, without parallel workers: so they use the core that the refresh's per-person pass
-- leaves idle rather than contend with its parallel joins (seed size: the refresh and the
-- publication took 24.7-25.7 s one after the other, 24.7-24.8 s with the counts beside in
-- parallel workers, 21.9 s with them on one core). For this transaction only.
SET LOCAL max_parallel_workers_per_gather = 0
