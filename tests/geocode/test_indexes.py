"""A first geocoding inserts its places without ``padron.ubicacion``'s secondary indexes and
builds them once after; a smaller one keeps them; a run killed before the rebuild leaves them
missing only until the next run. And places are stored in record order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from devtools.synth import FEDERAL_BENEFITS, STATE_BENEFITS, ProgramSpec, SynthConfig, generate
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.db import make_engine, query
from tests.conftest import DATA_DIR, fresh_database

INDEXES = (
    "SELECT c.relname, c.oid::bigint, pg_get_indexdef(c.oid), i.indisvalid"
    " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE i.indrelid = 'padron.ubicacion'::regclass AND NOT i.indisprimary ORDER BY 1"
)

PROGRAMS = (
    ProgramSpec("GRANDE", 600, STATE_BENEFITS, ("2016",)),
    ProgramSpec("CHICA", 150, FEDERAL_BENEFITS, ("2016",)),
    ProgramSpec("OTRA", 150, FEDERAL_BENEFITS, ("2016",)),
)


@pytest.fixture
def empty_registry(reference_database: str) -> Iterator[Engine]:
    """A database of its own with Oaxaca's geography and no places yet."""
    with fresh_database(template=make_url(reference_database).database) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def indexes(engine: Engine) -> dict[str, tuple[int, str, bool]]:
    with engine.connect() as conn:
        return {name: (oid, ddl, valid) for name, oid, ddl, valid in conn.execute(text(INDEXES))}


def definitions(found: dict[str, tuple[int, str, bool]]) -> dict[str, tuple[str, bool]]:
    """Each index's definition and validity, whatever its oid."""
    return {name: (ddl, valid) for name, (_, ddl, valid) in found.items()}


def test_a_first_run_builds_the_indexes_after_its_places(
    empty_registry: Engine, tmp_path: Path
) -> None:
    generate(DATA_DIR, tmp_path, SynthConfig(seed=59, programs=PROGRAMS))
    batches = [
        ingest_file(empty_registry, tmp_path / p.file_name, p.code).carga_id for p in PROGRAMS
    ]
    migrated = indexes(empty_registry)
    assert set(migrated) == {"ubicacion_carga", "ubicacion_geom", "ubicacion_loc"}

    geocode(empty_registry, batches[0])

    rebuilt = indexes(empty_registry)
    assert definitions(rebuilt) == definitions(migrated)
    assert all(rebuilt[name][0] != migrated[name][0] for name in migrated)

    geocode(empty_registry, batches[1])  # fewer records than places: the indexes stay
    assert indexes(empty_registry) == rebuilt

    with empty_registry.begin() as conn:  # what a run killed between drop and rebuild leaves
        conn.execute(text("DROP INDEX padron.ubicacion_geom, padron.ubicacion_loc"))
    geocode(empty_registry, batches[2])
    assert definitions(indexes(empty_registry)) == definitions(migrated)
    with empty_registry.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM padron.ubicacion")).scalar_one() == 900


def test_places_are_stored_in_record_order(empty_registry: Engine, tmp_path: Path) -> None:
    """Resolution reads the places merged with the records by id: a heap in the order of the
    geocoding's join (by place) made that read visit its pages at random."""
    generate(DATA_DIR, tmp_path, SynthConfig(seed=59, programs=PROGRAMS[:1]))
    batch = ingest_file(empty_registry, tmp_path / PROGRAMS[0].file_name, PROGRAMS[0].code)
    geocode(empty_registry, batch.carga_id, workers=1)
    with empty_registry.connect() as conn:
        stored = list(
            conn.execute(text("SELECT registro_id FROM padron.ubicacion ORDER BY ctid")).scalars()
        )
    assert len(stored) == PROGRAMS[0].rows
    assert stored == sorted(stored)


def test_a_run_with_its_indexes_in_place_waits_for_no_writer(
    empty_registry: Engine, tmp_path: Path
) -> None:
    """A field point being saved holds a row lock on the places' table; a run that found the
    indexes in place took a share lock to find so, waited for that writer, and made every
    later writer wait behind it."""
    generate(DATA_DIR, tmp_path, SynthConfig(seed=61, programs=PROGRAMS[:2]))
    first, second = (
        ingest_file(empty_registry, tmp_path / p.file_name, p.code).carga_id for p in PROGRAMS[:2]
    )
    geocode(empty_registry, first)
    impatient = make_engine(
        empty_registry.url.render_as_string(hide_password=False),
        connect_args={"options": "-c lock_timeout=2000"},
    )
    try:
        with empty_registry.begin() as writer:
            writer.execute(text("LOCK TABLE padron.ubicacion IN ROW EXCLUSIVE MODE"))
            assert geocode(impatient, second).registros == PROGRAMS[1].rows
    finally:
        impatient.dispose()


SIMULATION = {
    "grupo": "total", "poblacion_min": 0, "grados": [], "municipios": [], "periodo": None,
    "programas": None, "sexo": None, "con_edad": False, "edad_min": 0, "edad_max": 200,
    "limite": 10,
}  # fmt: skip


@pytest.mark.parametrize(
    ("package", "name", "params"),
    [
        ("geo.access", "visit_plan.sql", {"municipios": None, "limite": 10}),
        ("geo.access", "area_localities.sql", {"municipio": "20067"}),
        ("geo.coverage", "simulation.sql", SIMULATION),
    ],
)
def test_lookups_by_locality_can_use_its_index(
    empty_registry: Engine, tmp_path: Path, package: str, name: str, params: dict[str, object]
) -> None:
    """The index is in byte order (migration 0018) and the column is not: a lookup that does
    not ask for that order cannot use it, and scans every place instead."""
    generate(DATA_DIR, tmp_path, SynthConfig(seed=59, programs=PROGRAMS[:1]))
    batch = ingest_file(empty_registry, tmp_path / PROGRAMS[0].file_name, PROGRAMS[0].code)
    geocode(empty_registry, batch.carga_id)
    localities = {"localidades": ["200670001", "200670002"]}
    with empty_registry.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = conn.execute(
            text("EXPLAIN " + query(package, name).text), localities | params
        ).scalars()
        assert "ubicacion_loc" in "\n".join(plan)
