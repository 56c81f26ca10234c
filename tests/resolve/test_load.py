"""Loading the records for matching, on a registry resolved before a new roster: the planner
must know how few records are pending, or the plan it picks may go quadratic; and it merges the
records with their assignments and places in id order instead of hashing them all. Before it,
a first load builds the indexes of persons and assignments once, after its inserts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from psycopg import sql
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from devtools.synth import FEDERAL_BENEFITS, STATE_BENEFITS, ProgramSpec, SynthConfig, generate
from geo.ingest import ingest_file
from geo.ingest.tables import registro
from geo.kernel.db import (
    copy_out_frame,
    make_engine,
    psycopg_connection,
    query,
    run_sql_file,
    upgrade,
)
from geo.resolve import resolve
from geo.resolve.match import NameFrequencies
from geo.resolve.resolver import (
    load_for_matching,
    matching_statement,
    name_frequencies,
    read_every_record,
    read_persons,
    set_apart,
    with_persons,
)
from tests.conftest import DATA_DIR, fresh_database


@contextmanager
def pending_registry(
    folder: Path, seed: int, programs: tuple[ProgramSpec, ProgramSpec]
) -> Iterator[str]:
    """URL of a database of its own: the first roster resolved, then the second ingested, not
    resolved."""
    generate(DATA_DIR, folder, SynthConfig(seed=seed, programs=programs))
    with fresh_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            ingest_file(engine, folder / programs[0].file_name, programs[0].code)
            resolve(engine)
            ingest_file(engine, folder / programs[1].file_name, programs[1].code)
        finally:
            engine.dispose()
        yield url


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A roster resolved, then a second one of the same size pending."""
    programs = (
        ProgramSpec("CARGAA", 1_500, STATE_BENEFITS, ("2016",)),
        ProgramSpec("CARGAB", 1_500, FEDERAL_BENEFITS, ("2016",)),
    )
    with pending_registry(tmp_path_factory.mktemp("carga_pendiente"), 47, programs) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_the_pending_records_are_estimated_as_many_as_they_are(registry: Engine) -> None:
    """Found through ``LEFT JOIN asignacion ... WHERE persona_id IS NULL``, the pending records
    were estimated as one row whatever their number (the planner does not take that for an
    anti-join), and a plan could then scan the persons without a CURP once per pending record:
    215 s of a 100,000-row roster's resolution on a registry of a million records."""
    with registry.connect() as conn:
        conn.execute(query("geo.resolve", "lock.sql"))
        run_sql_file(conn, "geo.resolve", "resolve_curp.sql")
        population = conn.execute(select(func.count()).select_from(registro)).scalar_one()
        set_apart(conn)
        pending = conn.execute(text("SELECT count(*) FROM pendiente_registro")).scalar_one()
        with psycopg_connection(conn).cursor() as cursor:
            cursor.execute(
                sql.SQL("EXPLAIN (FORMAT JSON) {}").format(matching_statement(population))
            )
            row = cursor.fetchone()
        assert row is not None
        conn.rollback()
    estimated = [
        node["Plan Rows"]
        for node in _nodes(row[0][0]["Plan"])
        if node.get("Subplan Name") == "CTE pendiente"
    ]
    assert pending > 100, "too few pending records to tell an estimate from one row"
    assert estimated and pending / 2 <= estimated[0] <= pending * 2


def test_records_assignments_and_places_are_merged_in_id_order(
    registry: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load joins every record to its assignment and place by record id. Planned with hash
    joins, it hashed millions of rows (33-40 s at seed size); read through the primary keys in
    id order and merged, 20 s. The plan the load runs is read beside it (EXPLAIN on the same
    connection, as the COPY starts), and hash joins are back afterwards."""
    plans: list[dict[str, Any]] = []

    def explained(conn: Any, statement: Any, schema: Any) -> Any:
        with psycopg_connection(conn).cursor() as cursor:
            cursor.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement))
            row = cursor.fetchone()
        assert row is not None
        plans.append(row[0][0]["Plan"])
        return copy_out_frame(conn, statement, schema)

    monkeypatch.setattr("geo.resolve.resolver.copy_out_frame", explained)
    with registry.connect() as conn:
        conn.execute(query("geo.resolve", "lock.sql"))
        run_sql_file(conn, "geo.resolve", "resolve_curp.sql")
        population = conn.execute(select(func.count()).select_from(registro)).scalar_one()
        records = load_for_matching(conn, population)
        after = conn.execute(text("SELECT current_setting('enable_hashjoin')")).scalar_one()
        conn.rollback()
    joins = [node["Node Type"] for plan in plans for node in _nodes(plan)]
    assert records.height > 0 and len(plans) == 1
    assert "Merge Join" in joins and "Hash Join" not in joins, joins
    assert after == "on"


BULK_INDEXES = ("asignacion_persona", "asignacion_pkey", "persona_pkey", "persona_curp_key")
"""The indexes a first load builds after its inserts (``sql/resolve_curp.sql``)."""


def _indexes(engine: Engine) -> dict[str, tuple[int, bool, str]]:
    """Each of :data:`BULK_INDEXES`: its oid (a rebuilt index has a new one), whether it is
    valid, and its definition."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, i.indexrelid::bigint, i.indisvalid,"
                " pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relnamespace = 'padron'::regnamespace AND c.relname = ANY(:names)"
            ),
            {"names": list(BULK_INDEXES)},
        ).all()
    return {name: (int(oid), bool(valid), definition) for name, oid, valid, definition in rows}


def test_a_first_load_builds_the_indexes_of_persons_and_assignments_after_its_inserts(
    tmp_path: Path,
) -> None:
    """Kept through the inserts, the indexes took every row as it came, the index on persons
    millions of assignments at random places (at twice the seed size, 48 s instead of 16 + 2 s;
    at seed size the persons 6.4 s instead of 3.3 + 1.1, the assignments' primary key 7.3 s
    instead of 4.5 + 0.6); a load smaller than the registry keeps them, since dropping them
    would make readers of a registry in use wait for the resolution. Rebuilt, they are the
    migrations' indexes. The sizes are counted: the planner's row counts stayed at millions for
    an empty table after a failed first run, and the run after it kept the indexes."""
    programs = (
        ProgramSpec("GRANDE", 1_000, STATE_BENEFITS, ("2016",)),
        ProgramSpec("CHICA", 200, FEDERAL_BENEFITS, ("2016",)),
    )
    generate(DATA_DIR, tmp_path, SynthConfig(seed=53, programs=programs))
    with fresh_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            created = _indexes(engine)
            assert set(created) == set(BULK_INDEXES)
            ingest_file(engine, tmp_path / programs[0].file_name, programs[0].code)
            with engine.connect() as conn:  # a first run that failed: its ANALYZE outlives it
                run_sql_file(conn, "geo.resolve", "resolve_curp.sql")
                conn.rollback()
            resolve(engine)
            rebuilt = _indexes(engine)
            for name, (oid, valid, definition) in rebuilt.items():
                assert oid != created[name][0] and valid, name
                assert definition == created[name][2]
            ingest_file(engine, tmp_path / programs[1].file_name, programs[1].code)
            resolve(engine)
            assert _indexes(engine) == rebuilt
        finally:
            engine.dispose()


def _outcome(url: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Each record's person, and the review queue's pairs."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assigned = conn.execute(
                text("SELECT registro_id, persona_id FROM padron.asignacion ORDER BY 1")
            ).all()
            queued = conn.execute(
                text("SELECT registro_id, candidato_id FROM padron.revision ORDER BY 1, 2")
            ).all()
    finally:
        engine.dispose()
    return [(a, b) for a, b in assigned], [(a, b) for a, b in queued]


def test_loading_every_record_changes_no_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many records without a person, resolution reads the whole registry beside its
    CURP rules instead of the records sharing a block with those the rules leave pending
    (``EVERY_RECORD_FROM``): a pair is compared only within a block, so the records the blocks
    leave out can change nothing. Resolved both ways from the same registry (a roster resolved,
    a smaller one pending), the assignments and the review queue are the same, while the loads
    differ (with a model counted on a sample smaller than the registry: the whole sample is
    always loaded)."""
    programs = (
        ProgramSpec("PRIMERA", 2_500, STATE_BENEFITS, ("2016",)),
        ProgramSpec("SEGUNDA", 300, FEDERAL_BENEFITS, ("2016",)),
    )
    monkeypatch.setattr("geo.resolve.match.LABELLED_SAMPLE", 500)
    loaded: dict[str, int] = {}
    with pending_registry(tmp_path, 59, programs) as base:
        engine = make_engine(base)
        with engine.connect() as conn:
            records = conn.execute(select(func.count()).select_from(registro)).scalar_one()
        engine.dispose()
        outcomes = {}
        for mode, share in (("blocks", 2.0), ("every", 0.0)):

            def counted(conn: Any, statement: Any, schema: Any, mode: str = mode) -> Any:
                frame = copy_out_frame(conn, statement, schema)
                if "id" in frame.columns:  # the records, not their persons
                    loaded[mode] = frame.height
                return frame

            monkeypatch.setattr("geo.resolve.resolver.copy_out_frame", counted)
            monkeypatch.setattr("geo.resolve.resolver.EVERY_RECORD_FROM", share)
            with fresh_database(template=make_url(base).database) as url:
                engine = make_engine(url)
                resolve(engine)
                engine.dispose()
                outcomes[mode] = _outcome(url)
    assert loaded["every"] == records > loaded["blocks"], loaded
    assert outcomes["blocks"] == outcomes["every"]
    assert len(outcomes["every"][0]) > records * 0.9


def test_the_persons_are_read_while_every_record_still_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The persons the CURP rules decided are read on the resolution's connection while every
    record is still being read beside it, not after: neither needs the other, and a roster
    added to a large registry waits on the longer of the two instead of their sum. The read
    beside waits here until the persons are read; had they been read after it, it would wait
    in vain."""
    programs = (
        ProgramSpec("ANTES", 300, STATE_BENEFITS, ("2016",)),
        ProgramSpec("DESPUES", 300, FEDERAL_BENEFITS, ("2016",)),
    )
    persons_read = threading.Event()
    overlapped: list[bool] = []

    def read_after_the_persons(*args: Any) -> pl.DataFrame:
        overlapped.append(persons_read.wait(timeout=10))
        return read_every_record(*args)

    def persons(conn: Any, every_one: bool) -> pl.DataFrame:
        assigned = read_persons(conn, every_one)
        persons_read.set()
        return assigned

    with pending_registry(tmp_path, 61, programs) as url:
        monkeypatch.setattr("geo.resolve.resolver.read_every_record", read_after_the_persons)
        monkeypatch.setattr("geo.resolve.resolver.read_persons", persons)
        engine = make_engine(url)
        try:
            resolve(engine)
        finally:
            engine.dispose()
    assert overlapped == [True]


def test_every_record_read_beside_the_rules_has_the_persons_the_blocks_load(
    registry: Engine,
) -> None:
    """Read beside the CURP rules, every record comes with the person it had before them, and
    after them only the persons the rules gave are read; before a first load (whose rules lock
    the assignments) the records come without persons, and every assignment is read after the
    rules. Either way each record's person and marks (``sin_curp``, ``curp_nueva``) are those
    the blocks' load (``sql/load_for_matching.sql``) reads after the rules in the same
    transaction."""
    marks = ["id", "persona_id", "sin_curp", "curp_nueva"]
    with registry.connect() as conn:
        conn.execute(query("geo.resolve", "lock.sql"))
        population = conn.execute(select(func.count()).select_from(registro)).scalar_one()
        snapshot = conn.execute(query("geo.resolve", "export_snapshot.sql")).scalar_one()
        beside = {
            persons: read_every_record(registry, snapshot, population, persons)
            for persons in (True, False)
        }
        run_sql_file(conn, "geo.resolve", "resolve_curp.sql")
        read = {}
        for persons in (True, False):
            read[persons] = with_persons(beside[persons], read_persons(conn, not persons))
            conn.execute(text("DROP TABLE persona_estado"))  # each read sets it apart again
        blocks = load_for_matching(conn, population).select(marks)
        conn.rollback()
    assert beside[True]["persona_id"].drop_nulls().len() > 0
    assert (
        beside[True]["persona_id"].drop_nulls().len() < read[True]["persona_id"].drop_nulls().len()
    )
    assert read[True]["sin_curp"].any() and read[True]["curp_nueva"].any()
    assert_frame_equal(read[True].select(marks), read[False].select(marks))
    kept = read[True].select(marks).join(blocks.select("id"), on="id", maintain_order="right")
    assert_frame_equal(kept, blocks, check_dtypes=False)


def test_name_frequencies_counted_over_every_record_are_the_servers(registry: Engine) -> None:
    """A resolution that reads every record counts the names in the frame it read
    (``NameFrequencies.of``) instead of asking the server again: the same counts, with the
    records that lack a sex or a second surname left out as the server leaves them."""
    names = ("sexo", "nombre_norm", "primer_ap_norm", "segundo_ap_norm")
    with registry.connect() as conn:  # rolled back: the fixture's records have every sex
        conn.execute(text("UPDATE padron.registro SET sexo = NULL WHERE id % 10 = 0"))
        server = name_frequencies(conn)
        rows = conn.execute(text(f"SELECT {', '.join(names)} FROM padron.registro")).all()
        conn.rollback()
    records = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    assert records["sexo"].null_count() > 0 and records["segundo_ap_norm"].null_count() > 0
    counted = NameFrequencies.of(records)
    given = ["sexo", "nombre_norm"]
    assert_frame_equal(counted.nombres.sort(given), server.nombres.sort(given))
    assert_frame_equal(counted.apellidos.sort("apellido"), server.apellidos.sort("apellido"))
