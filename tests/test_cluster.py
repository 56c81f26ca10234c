"""The embedded cluster: status, idempotent start, throwaway databases."""

from __future__ import annotations

import pytest

from api.settings import REPO_ROOT
from geo.cluster import LocalCluster
from geo.errors import ClusterError


def test_status_start_and_databases(database_url: str) -> None:
    cluster = LocalCluster(REPO_ROOT / ".padron" / "test-db")
    if "127.0.0.1" not in database_url or str(cluster.port) not in database_url:
        pytest.skip("DATABASE_URL points at an external server")
    status = cluster.status()
    assert status.initialised and status.running and status.port
    assert cluster.start() == status.url  # idempotent
    url = cluster.create_database("padron_tmp_probe")
    assert url.endswith("/padron_tmp_probe")
    cluster.drop_database("padron_tmp_probe")
    with pytest.raises(ClusterError, match="Nombre de base de datos no válido"):
        cluster.create_database('x"; DROP DATABASE padron; --')


def test_uninitialised_cluster_reports_not_running(tmp_path) -> None:  # type: ignore[no-untyped-def]
    status = LocalCluster(tmp_path / "nada").status()
    assert not status.initialised and not status.running and status.url is None
