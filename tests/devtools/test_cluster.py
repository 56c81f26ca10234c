"""The embedded cluster's whole life: create, start, reuse, databases, stop."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from api.settings import REPO_ROOT
from devtools.cluster import LocalCluster
from geo.kernel.db import driver_url
from geo.kernel.errors import ClusterError


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    # Under the project directory: the server's system user cannot enter pytest's private tmp.
    folder = REPO_ROOT / ".padron" / f"test-cluster-{uuid.uuid4().hex[:8]}"
    yield folder
    LocalCluster(folder).stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_lifecycle(cluster_dir: Path) -> None:
    cluster = LocalCluster(cluster_dir)
    assert not cluster.status().initialised

    url = cluster.start()
    status = cluster.status()
    assert status.initialised and status.running and status.url == url
    assert cluster.start() == url  # idempotent: the same cluster, port and database

    conninfo = driver_url(url)
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT current_setting('listen_addresses')").fetchone() == (
            "127.0.0.1",
        )
    scratch = cluster.create_database("padron_probe")
    assert scratch.endswith("/padron_probe")
    cluster.drop_database("padron_probe")
    with pytest.raises(ClusterError, match="Nombre de base de datos no válido"):
        cluster.create_database('x"; DROP DATABASE padron; --')

    cluster.stop()
    assert cluster.status().initialised and not cluster.status().running
    cluster.stop()  # stopping a stopped cluster is fine
    assert cluster.start() == url  # and it comes back on the same port


def test_uninitialised_cluster_reports_not_running(tmp_path: Path) -> None:
    status = LocalCluster(tmp_path / "nada").status()
    assert not status.initialised and not status.running and status.url is None
