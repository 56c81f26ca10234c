"""Engines, migrations, SQL files and COPY. The library takes an Engine or Connection; it never
reads the environment."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

import polars as pl
import psycopg
from alembic import command
from alembic.config import Config
from psycopg import sql
from psycopg.abc import Buffer
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Connection, Engine, TextClause, create_engine, make_url, text
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for a PostGIS URL; plain ``postgresql://`` URLs get the psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, **kwargs)


def driver_url(url: str) -> str:
    """``url`` as libpq reads it (no ``+psycopg`` driver suffix), for psycopg used directly."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def async_pool(url: str, size: int, timeout: float, options: str = "") -> AsyncConnectionPool:
    """A fixed pool of ``size`` autocommit psycopg connections for one read-only statement each
    (no ``BEGIN`` and ``ROLLBACK`` round trips), not yet open: ``await pool.open()``.

    No check on checkout, unlike :func:`make_engine`'s engines: a ping is one more round trip
    per statement. Callers retry once after a broken connection, as :func:`fetch_one` does.
    """
    return AsyncConnectionPool(
        driver_url(url),
        min_size=size,
        max_size=size,
        timeout=timeout,
        open=False,
        kwargs={"autocommit": True, "options": options},
    )


async def fetch_one(pool: AsyncConnectionPool, statement: str, params: Mapping[str, Any]) -> Any:
    """The first column of the first row of ``statement`` (psycopg placeholders), or None."""
    try:
        return await _first(pool, statement, params)
    except PoolTimeout:  # every connection busy: waiting again would only double the wait
        raise
    except psycopg.OperationalError:
        # A connection the server closed (a restart) is discarded on its return: drop the
        # others like it and run the statement once more on a sound one.
        await pool.check()
        return await _first(pool, statement, params)


async def _first(pool: AsyncConnectionPool, statement: str, params: Mapping[str, Any]) -> Any:
    async with pool.connection() as conn:
        cursor = await conn.execute(statement, params)
        row = await cursor.fetchone()
    return row[0] if row else None


def fill_pool(engine: Engine, size: int) -> None:
    """Open ``size`` connections at once and return them to ``engine``'s pool, so that the
    first requests find them open."""
    with contextlib.ExitStack() as stack:
        for _ in range(size):
            stack.enter_context(engine.connect())


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to ``engine``, with the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest schema)."""
    command.upgrade(alembic_config(engine), revision)


@functools.cache
def sql_text(package: str, name: str) -> str:
    """The text of ``<package>/sql/<name>`` without its ``--`` comment lines (read once per
    process): a ``:name`` or ``{name}`` in a comment would otherwise read as a parameter."""
    script = resources.files(package).joinpath("sql", name).read_text(encoding="utf-8")
    return "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))


@dataclass(frozen=True)
class DriverQuery:
    """A statement in the driver's own placeholders (``%(name)s``) and its parameters: what an
    asynchronous connection runs without SQLAlchemy in between (see :func:`fetch_one`)."""

    statement: str
    params: dict[str, object]


@functools.cache
def driver_statement(package: str, name: str) -> str:
    """:func:`query`'s statement with psycopg's placeholders, compiled once per process."""
    return str(query(package, name).compile(dialect=psycopg_dialect()))


def query(package: str, name: str) -> TextClause:
    """The single statement of ``<package>/sql/<name>``, for ``conn.execute`` with bound
    parameters (``docs/architecture.md``, "Where SQL lives")."""
    return text(sql_text(package, name))


def statements(package: str, name: str) -> list[TextClause]:
    """The statements of ``<package>/sql/<name>``, separated by ``;`` at the end of a line."""
    parts = re.split(r";\s*$", sql_text(package, name), flags=re.MULTILINE)
    return [text(part) for part in parts if part.strip()]


def run_sql_file(conn: Connection, package: str, name: str, **params: Any) -> None:
    """Run the statements of ``<package>/sql/<name>`` in order, with bound ``params``."""
    for statement in statements(package, name):
        conn.execute(statement, params)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def psycopg_connection(conn: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under a SQLAlchemy one (for COPY and composed DDL)."""
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a Connection inside begin() is always open
        raise RuntimeError("connection closed")
    return cast("psycopg.Connection[Any]", raw)


def execute_composed(
    conn: Connection,
    package: str,
    name: str,
    *,
    identifiers: Mapping[str, Sequence[str]],
    literals: Mapping[str, object] | None = None,
) -> None:
    """Run the statement of ``<package>/sql/<name>`` on the transaction of ``conn``, its
    ``{placeholders}`` filled by :mod:`psycopg.sql`: ``identifiers`` quoted as (schema-qualified)
    names, ``literals`` quoted as constants where PostgreSQL takes no bound parameter (DDL)."""
    parts: dict[str, sql.Composable] = {k: sql.Identifier(*v) for k, v in identifiers.items()}
    parts |= {k: sql.Literal(v) for k, v in (literals or {}).items()}
    statement = sql.SQL(sql_text(package, name)).format(**parts)
    with psycopg_connection(conn).cursor() as cursor:
        cursor.execute(statement)


def csv_for_copy(frame: pl.DataFrame) -> memoryview:
    """A frame as CSV for :func:`copy_csv` (array columns arrive as literals, nulls as ``\\N``)."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    return buffer.getbuffer()


def copy_csv(
    conn: psycopg.Connection[Any],
    schema: str,
    table: str,
    columns: Sequence[str],
    data: memoryview,
    *,
    freeze: bool = False,
) -> None:
    """COPY :func:`csv_for_copy`'s CSV into ``columns`` of ``schema.table``.

    ``freeze`` writes the rows frozen, allowed when the table was created in this transaction.
    """
    options = "FORMAT csv, NULL '\\N'" + (", FREEZE" if freeze else "")
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(options),  # one of two constants
    )
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(data)


def copy_rows(
    conn: Connection,
    schema: str,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """COPY Python rows into ``schema.table`` (dicts become JSON); return how many."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with psycopg_connection(conn).cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
            count += 1
    return count


COPY_CHUNK_BYTES = 64 << 20
"""CSV parsed at a time by :func:`copy_out_frame`."""


def copy_out_frame(conn: Connection, query: sql.Composable, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``query`` read with ``COPY ... TO STDOUT`` into a Polars frame of ``schema``.

    Parsed as it arrives, :data:`COPY_CHUNK_BYTES` at a time (COPY sends whole rows), so that
    the CSV text is never held whole beside the frame: at twice the seed size, gigabytes. The
    pieces are then joined one column at a time (:func:`_contiguous`).
    """
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(query)
    with psycopg_connection(conn).cursor() as cursor, cursor.copy(statement) as copy:
        chunks = [
            pl.read_csv(data, schema=schema, null_values="", has_header=False)
            for data in _joined(copy, COPY_CHUNK_BYTES)
        ]
    if not chunks:
        return pl.DataFrame(schema=schema)
    frame = pl.concat(chunks)
    chunks.clear()
    return _contiguous(frame)


def _contiguous(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each column in one piece, made one column at a time (rechunking the frame
    at once would hold it twice). A join or gather on a column of many pieces copies it whole
    first: at twice the seed size, resolution's frame of hundreds of pieces took 1.1 GB more."""
    for name in frame.columns:
        frame = frame.with_columns(frame[name].rechunk())
    return frame


def _joined(blocks: Iterable[Buffer], size: int) -> Iterator[bytes]:
    """The ``blocks`` joined into pieces of at least ``size`` bytes (the last one may be less)."""
    pending: list[bytes] = []
    held = 0
    for block in blocks:
        pending.append(bytes(block))
        held += len(block)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)
