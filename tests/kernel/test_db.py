"""Reading a query's rows into a Polars frame with COPY, in chunks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from psycopg import sql
from sqlalchemy import Engine

from geo.kernel import db

SCHEMA = {"id": pl.Int64(), "texto": pl.String(), "dia": pl.Date(), "si": pl.Boolean()}
ROWS = sql.SQL(
    "SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'a, \"b\"' || chr(10) || n END,"
    " date '2020-01-01' + n, (n % 2 = 0)::text FROM generate_series(1, 500) AS n"
)


@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_copy_out_frame_reads_every_row_whatever_the_chunk(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(db, "COPY_CHUNK_BYTES", chunk)
    with engine.connect() as conn:
        frame = db.copy_out_frame(conn, ROWS, SCHEMA).sort("id")
    assert frame.schema == pl.Schema(SCHEMA) and frame.height == 500
    assert frame["id"].to_list() == list(range(1, 501))
    assert frame.row(1) == (2, 'a, "b"\n2', dt.date(2020, 1, 3), True)
    assert frame["texto"].null_count() == 166


def test_copy_out_frame_of_no_rows_has_the_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        frame = db.copy_out_frame(
            conn, sql.SQL("SELECT 1, 'x', current_date, 't' WHERE false"), SCHEMA
        )
    assert frame.is_empty() and frame.schema == pl.Schema(SCHEMA)


def test_copy_out_frame_gives_each_column_in_one_piece(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in many pieces, the columns are joined: a join or gather on a column of many pieces
    copies it whole first (resolution's peak memory at twice the seed size)."""
    monkeypatch.setattr(db, "COPY_CHUNK_BYTES", 64)
    with engine.connect() as conn:
        frame = db.copy_out_frame(conn, ROWS, SCHEMA)
    assert frame.height == 500
    assert frame.n_chunks("all") == [1] * len(SCHEMA)
