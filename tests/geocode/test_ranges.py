"""A batch geocoded in ranges side by side gets exactly the places it gets in one piece, and a
batch left half placed (a crash between ranges) is geocoded again."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine, text

from devtools.synth import STATE_BENEFITS, ProgramSpec, SynthConfig, generate
from geo.geocode import geocode, locate
from geo.geocode.locate import pending_batches
from geo.ingest import ingest_file
from geo.kernel.errors import InvalidParameter
from tests.conftest import DATA_DIR

ROWS = 3_000

PLACES = (
    "SELECT registro_id, carga_id, cvegeo_mun, cvegeo_loc, precision, confianza, banderas,"
    " ST_AsEWKB(geom) AS geom FROM padron.ubicacion WHERE carga_id = :c ORDER BY registro_id"
)


@pytest.fixture(scope="module")
def batch(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> int:
    """A synthetic roster with every kind of damage (names, keys, coordinates), ingested."""
    folder = tmp_path_factory.mktemp("rangos")
    program = ProgramSpec("RANGOS", ROWS, STATE_BENEFITS, ("2016",))
    generate(DATA_DIR, folder, SynthConfig(seed=20, programs=(program,)))
    return ingest_file(engine, folder / program.file_name, program.code).carga_id


def places(engine: Engine, carga: int) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(PLACES), {"c": carga})]


def test_ranges_place_records_as_one_piece(
    engine: Engine, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert geocode(engine, batch, workers=1).registros == ROWS
    whole = places(engine, batch)
    monkeypatch.setattr(locate, "RANGE_RECORDS", 400)
    with engine.connect() as conn:
        assert len(locate._ranges(conn, batch, 4)) == 4

    report = geocode(engine, batch, workers=4)

    assert places(engine, batch) == whole
    # The report adds up the ranges' counts: what the batch's places say, flag by flag.
    assert report.registros == ROWS
    assert report.por_precision == dict(Counter(row[4] for row in whole))
    flags = Counter(flag for row in whole for flag in row[6])
    assert report.por_bandera == dict(flags)
    assert list(report.por_bandera.values()) == sorted(flags.values(), reverse=True)
    precisions = {row[4] for row in whole}
    assert {"croquis", "croquis_corregido", "localidad"} <= precisions
    assert any("nombre_aproximado" in row[6] for row in whole)  # names matched per range


def test_a_half_placed_batch_is_pending(
    engine: Engine, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locate, "RANGE_RECORDS", 400)
    geocode(engine, batch, workers=2)
    whole = places(engine, batch)
    with engine.begin() as conn:
        assert batch not in pending_batches(conn)
        # What a crash after the first range's commit leaves: the second range unplaced.
        first, last, _ = locate._ranges(conn, batch, 2)[1]
        conn.execute(
            text(
                "DELETE FROM padron.ubicacion WHERE carga_id = :c"
                " AND registro_id BETWEEN :first AND :last"
            ),
            {"c": batch, "first": first, "last": last},
        )
        assert batch in pending_batches(conn)

    assert geocode(engine, batch, workers=2).cargas == [batch]

    assert places(engine, batch) == whole
    with engine.connect() as conn:
        assert batch not in pending_batches(conn)


def test_workers_must_be_positive(engine: Engine, batch: int) -> None:
    with pytest.raises(InvalidParameter, match="al menos un rango"):
        geocode(engine, batch, workers=0)


def test_places_and_assignments_are_written_without_a_check_per_row(engine: Engine) -> None:
    """Every record of a batch gets a place and, once resolved, an assignment: a foreign key
    checked them one row at a time (a trigger each), 12 % of geocoding's time at seed size for
    ``ubicacion`` (``asignacion`` never had one). Integrity is kept by the one step that writes
    each table (docs/geocoding.md). (The coverage refresh's log of changes fires once per
    statement, not per row.)"""
    triggers = (
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
        " WHERE tgrelid IN ('padron.ubicacion'::regclass, 'padron.asignacion'::regclass)"
        " AND tgtype & 1 = 1"  # TRIGGER_TYPE_ROW
    )
    with engine.connect() as conn:
        assert conn.execute(text(triggers)).all() == []
