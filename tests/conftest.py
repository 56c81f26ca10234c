"""Shared fixtures: throwaway PostGIS databases, copies of one migrated and loaded once: the
session's test database, and (for the public pages and the publication) one filled the way
``scripts/demo`` fills it.

With ``DATABASE_URL`` the databases are created on that server; otherwise on the project's own
test cluster (``.padron/test-db``), never the application's database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from api.settings import REPO_ROOT, Settings
from boundaries.load import SourceFiles
from devtools.cluster import LocalCluster
from geo.kernel.db import make_engine, upgrade
from geo.pipeline import load_geography
from tests.ingest.builders import RosterWriter, roster_writer

DATA_DIR = Path(os.environ.get("PADRON_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))


def pytest_configure(config: pytest.Config) -> None:
    """Fail early and clearly when the reference data are not where they should be."""
    if not (DATA_DIR / "oaxaca_municipios.gpkg").exists():
        raise pytest.UsageError(
            f"No se encuentran los datos de Oaxaca en {DATA_DIR} (PADRON_DATA_DIR)."
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: every test must really run against PostGIS."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("PADRON_FORBID_SKIPS") and skipped and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(
                f"FALLO: {skipped} pruebas omitidas; en CI ninguna puede omitirse.", red=True
            )


@contextmanager
def fresh_database(template: str | None = None) -> Iterator[str]:
    """URL of a new database (empty, or a copy of database ``template``), dropped afterwards."""
    server = (
        os.environ.get("DATABASE_URL") or LocalCluster(REPO_ROOT / ".padron" / "test-db").start()
    )
    url = make_url(server)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"padron_test_{uuid.uuid4().hex[:8]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(create)
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def reference_database() -> Iterator[str]:
    """A database migrated to head with Oaxaca's reference data and the coverage areas built on
    it (:func:`geo.pipeline.load_geography`), which no test writes: each test database is a copy
    of it (``CREATE DATABASE ... TEMPLATE``)."""
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        report = load_geography(engine, SourceFiles.discover(DATA_DIR), "20").load
        assert report.counts["municipio"] == 570
        assert report.counts["localidad"] == 10_723
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def database_url(reference_database: str) -> Iterator[str]:
    """URL of the session's test database, dropped at the end of the session."""
    with fresh_database(template=make_url(reference_database).database) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """Engine on the test database (migrated, with Oaxaca's reference data loaded)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


DEMO_SCALE = 0.003
"""The demo database of the tests: the demo's sample rosters at 0.3 % of Oaxaca's real sizes
(11,465 rows), so that it fills in about a minute."""


@pytest.fixture(scope="session")
def demo_database_url(
    reference_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of a database of its own, filled as ``padron demo`` fills one
    (:func:`cli.serve.fill_demo`) at :data:`DEMO_SCALE`: Oaxaca's geography (copied from the
    reference database, so the demo's load finds it done), and the synthetic rosters of two
    programs ingested, geocoded, resolved into persons, with coverage and the publication. For
    tests that read what the demo shows (notebooks, public figures and pages); none may write
    figures to it."""
    from cli.serve import fill_demo

    with fresh_database(template=make_url(reference_database).database) as url:
        demo = Settings(database_url=url, home=tmp_path_factory.mktemp("demo"), data_dir=DATA_DIR)
        engine = make_engine(url)
        try:
            fill_demo(demo, engine, DEMO_SCALE)
        finally:
            engine.dispose()
        yield url


@pytest.fixture(scope="session")
def demo_engine(demo_database_url: str) -> Iterator[Engine]:
    """Engine on the demo-shaped database."""
    engine = make_engine(demo_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_settings(demo_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an app on the demo-shaped database (rate limits out of the way)."""
    return Settings(
        database_url=demo_database_url,
        home=tmp_path_factory.mktemp("home-demo"),
        data_dir=DATA_DIR,
        public_requests_per_minute=1_000_000,
        public_tiles_per_minute=1_000_000,
    )


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing the app at the test database (rate limits and login lockout out of
    the way: the fuzzer fails many logins from the one test client)."""
    return Settings(
        database_url=database_url,
        home=tmp_path_factory.mktemp("home"),
        data_dir=DATA_DIR,
        public_requests_per_minute=1_000_000,
        public_tiles_per_minute=1_000_000,
        login_failures_per_user=1_000_000,
        login_failures_per_address=1_000_000,
    )


@pytest.fixture
def write_roster(tmp_path: Path) -> RosterWriter:
    """Write hand-made PUB rosters: ``write_roster([{"ID_REGISTRO": "A1"}, ...])``."""
    return roster_writer(tmp_path)
