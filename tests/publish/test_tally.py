"""The registry's counts the publication takes beside the coverage refresh."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from psycopg import sql
from sqlalchemy import Engine

from geo.kernel.db import psycopg_connection, sql_text
from geo.publish.publication import tally_registry

JOINED = ("flags.sql", "held.sql")
"""The counts that join every record to its place or its assignment."""


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_beside_the_refresh_records_are_merged_with_places_and_assignments(
    demo_engine: Engine,
) -> None:
    """On one core beside the refresh, the counts hashed every place and assignment to join
    them to the records: at seed size with a 100,000-row roster, 9.9 s, which the refresh that
    adds the roster waited for. Read through the primary keys in id order and merged, 6.1 s.
    The same counts either way."""
    with demo_engine.connect() as conn:
        hashed = tally_registry(conn)
        conn.rollback()
        merged = tally_registry(conn, one_core=True)
        joins = []
        with psycopg_connection(conn).cursor() as cursor:
            for name in JOINED:
                statement = sql.SQL(sql_text("geo.publish", name))
                cursor.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement))
                row = cursor.fetchone()
                assert row is not None
                joins += [node["Node Type"] for node in _nodes(row[0][0]["Plan"])]
        conn.rollback()
    assert hashed.flags and hashed.untrusted
    assert sorted(merged.flags) == sorted(hashed.flags)
    assert sorted(merged.untrusted) == sorted(hashed.untrusted)
    assert sorted(merged.held) == sorted(hashed.held)
    assert "Hash Join" not in joins and "Merge Join" in joins, joins
