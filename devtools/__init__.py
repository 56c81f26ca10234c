"""Development tooling, apart from the domain library: the embedded PostgreSQL cluster and the
synthetic rosters."""
