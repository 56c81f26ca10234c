"""Engines and schema migrations. The library takes an Engine or Connection; it never reads env."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, text


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for a PostGIS URL; plain ``postgresql://`` URLs get the psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to ``engine``, with the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest schema)."""
    command.upgrade(alembic_config(engine), revision)


def run_sql_file(conn: Connection, package: str, name: str, **params: Any) -> None:
    """Run the statements of ``<package>/sql/<name>`` in order, with bound ``params``.

    Statements are separated by ``;`` at the end of a line; ``--`` comment lines are skipped.
    """
    script = resources.files(package).joinpath("sql", name).read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    for statement in re.split(r";\s*$", code, flags=re.MULTILINE):
        if statement.strip():
            conn.execute(text(statement), params)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
