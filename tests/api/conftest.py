"""An app on the test database, used inside ``with TestClient`` so the lifespan runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="session")
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """HTTP client of an app bound to the migrated, loaded test database."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client
