"""Resolving roster by roster (as the pipeline does after every upload) finds the persons that
resolving every record at once finds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from devtools.synth import SynthConfig, generate
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel import curp
from geo.kernel.db import make_engine, run_sql_file, upgrade
from geo.pipeline import withdraw_batch
from geo.resolve import match, resolve
from tests.conftest import DATA_DIR, fresh_database
from tests.ingest.builders import RosterWriter

BORN = dt.date(1937, 2, 11)  # a date no other test uses: blocks stay private to this module
EVA = curp.build("Gutiérrez", "Salinas", "Eva", BORN, "M", "20")


def eva(folio: str, value: str = "", given: str = "Eva") -> dict[str, str]:
    return {
        "ID_REGISTRO": folio, "NB_CURP": value, "NB_PRIMER_AP": "Gutiérrez",
        "NB_SEGUNDO_AP": "Salinas", "NB_NOMBRE": given, "FH_NACIMIENTO": BORN.isoformat(),
        "CD_SEXO": "M", "CVE_MUN": "067", "CVE_LOC": "0001",
    }  # fmt: skip


def persons(engine: Engine, programs: tuple[str, ...]) -> dict[str, int | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT folio, persona_id FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id"
                " WHERE programa = ANY(:programas)"
            ),
            {"programas": list(programs)},
        ).all()
    return dict(rows)  # type: ignore[arg-type]


def test_a_person_without_curp_takes_the_valid_curp_that_arrives_later(
    engine: Engine, write_roster: RosterWriter
) -> None:
    """Eva's first roster has no CURP (and then a mistyped one): she is a person without a CURP.
    Her valid CURP arrives in the next roster: it joins her, and her id stays; a record of her
    without CURP in that roster joins her too (not held between her and her CURP's person)."""
    broken = EVA[:-1] + ("1" if EVA[-1] != "1" else "2")
    first = write_roster([eva("E1"), eva("E2", broken)], name="inc1.csv")
    ingest_file(engine, first, "INCA")
    resolve(engine)
    before = persons(engine, ("INCA",))
    assert before["E1"] == before["E2"] is not None
    second = write_roster([eva("E3", EVA), eva("E4")], name="inc2.csv")
    carga = ingest_file(engine, second, "INCB").carga_id
    resolve(engine)
    after = persons(engine, ("INCA", "INCB"))
    assert after == dict.fromkeys(("E1", "E2", "E3", "E4"), before["E1"])
    assert curp_of(engine, before["E1"]) == EVA

    # Withdrawn, the batch takes its CURP back: the person has no record with it.
    withdraw_batch(engine, carga, "prueba")
    assert curp_of(engine, before["E1"]) is None
    assert persons(engine, ("INCA", "INCB")) == before


def curp_of(engine: Engine, person: int | None) -> str | None:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT curp FROM padron.persona WHERE id = :id"), {"id": person}
        ).scalar_one()
    return value  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own (resolution is emptied there), without geography: records are
    placed by their keys."""
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


estimate_model = match.estimate_model

TAIL = 200
"""Rows of the second roster sent in a batch of their own."""


def partition(engine: Engine) -> tuple[set[frozenset[int]], set[int]]:
    """Persons of two records or more, as sets of record ids; and the records without one."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.id, a.persona_id FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id"
            )
        ).all()
    groups: dict[int, set[int]] = {}
    for record, person in rows:
        if person is not None:
            groups.setdefault(person, set()).add(record)
    alone = {record for record, person in rows if person is None}
    return {frozenset(g) for g in groups.values() if len(g) > 1}, alone


def test_roster_by_roster_finds_the_persons_found_at_once(
    registry: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``padron synth``'s two rosters (0.2 % of Oaxaca's sizes, 7,643 rows), the second one's
    last rows sent apart: resolved after each batch, and then all at once.

    Before late CURPs joined earlier persons without a CURP, each record without a usable CURP
    listed in the first roster and with a valid one in the second stayed a second person
    (about one pair in thirty). Before the model was counted on a sample of the whole
    registry, the small last batch was matched with a model counted among its neighbours."""
    summary = generate(DATA_DIR, tmp_path, SynthConfig.seed_sized(scale=0.002, seed=2016))
    first, second = summary.paths
    lines = second.read_bytes().splitlines(keepends=True)
    (tmp_path / "resto.csv").write_bytes(b"".join(lines[:-TAIL]))
    (tmp_path / "cola.csv").write_bytes(lines[0] + b"".join(lines[-TAIL:]))
    counted: list[match.Model] = []

    def estimate(*args: Any) -> match.Model:
        counted.append(estimate_model(*args))
        return counted[-1]

    monkeypatch.setattr(match, "estimate_model", estimate)
    batches = [(first, "PRIMERO"), (tmp_path / "resto.csv", "SEGUNDO")]
    for path, program in [*batches, (tmp_path / "cola.csv", "SEGUNDO")]:
        ingest_file(registry, path, program)
        resolve(registry)
    one_by_one = partition(registry)
    with registry.begin() as conn:
        conn.execute(text("TRUNCATE padron.revision, padron.asignacion, padron.persona"))
    resolve(registry)
    at_once = partition(registry)
    assert sum(len(g) for g in at_once[0]) > 3_000
    assert one_by_one == at_once
    # The small batch was matched with the model the whole registry gives, not with one counted
    # among its own neighbours (born the same days: a birth date in common was weak evidence).
    assert counted[-2] == counted[-1]


ROSENDO = dt.date(1941, 7, 19)  # the re-run tests' own birth date: blocks of their own


def rosendo(folio: str, given: str = "Rosendo") -> dict[str, str]:
    return {
        "ID_REGISTRO": folio, "NB_CURP": "", "NB_PRIMER_AP": "Quintero",
        "NB_SEGUNDO_AP": "Lara", "NB_NOMBRE": given, "FH_NACIMIENTO": ROSENDO.isoformat(),
        "CD_SEXO": "H", "CVE_MUN": "067", "CVE_LOC": "0001",
    }  # fmt: skip


@pytest.fixture
def rules_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The runs of resolution's CURP rules from here on: one per run that reads the registry."""
    ran: list[str] = []

    def spy(conn: Any, package: str, name: str, **params: Any) -> None:
        if name == "resolve_curp.sql":
            ran.append(name)
        run_sql_file(conn, package, name, **params)

    monkeypatch.setattr("geo.resolve.resolver.run_sql_file", spy)
    return ran


def test_a_run_with_nothing_new_reads_nothing_and_decides_the_same(
    engine: Engine, write_roster: RosterWriter, rules_run: list[str]
) -> None:
    """A re-run with no batch, place or review decision new (the same rosters uploaded again,
    a refresh after a change of rules) took, at seed size, 41-46 s to match again the records
    held for review and decide what it had decided: now it only counts."""
    roster = write_roster([rosendo("Q1"), rosendo("Q2", "Rosendo Amado")], name="rerun.csv")
    ingest_file(engine, roster, "RERUN")
    first = resolve(engine)
    again = resolve(engine)
    assert rules_run == ["resolve_curp.sql"]
    assert again == first


def _decide(engine: Engine, ids: list[int], write: RosterWriter) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO padron.revision (registro_id, candidato_id, probabilidad, decision,"
                " decidida_en, decidida_por) VALUES (:a, :b, 0.5, 'distinta', now(), 'prueba')"
            ),
            {"a": ids[0], "b": ids[1]},
        )


def _move(engine: Engine, ids: list[int], write: RosterWriter) -> None:
    geocode(engine)
    with engine.begin() as conn:
        moved = conn.execute(
            text(
                "UPDATE padron.ubicacion SET cvegeo_loc = NULL"
                " WHERE registro_id = :id AND cvegeo_loc IS NOT NULL"
            ),
            {"id": ids[0]},
        )
    assert moved.rowcount == 1


def _add(engine: Engine, ids: list[int], write: RosterWriter) -> None:
    ingest_file(engine, write([rosendo("Q9")], name="rerun2.csv"), "RERUNB")


def _other_thresholds(engine: Engine, ids: list[int], write: RosterWriter) -> None:
    resolve(engine, thresholds=match.Thresholds())


@pytest.mark.parametrize("change", [_decide, _move, _add, _other_thresholds])
def test_what_a_run_reads_makes_the_next_one_run(
    engine: Engine,
    write_roster: RosterWriter,
    rules_run: list[str],
    change: Callable[[Engine, list[int], RosterWriter], None],
) -> None:
    """A review decision, a record's place, a new batch, or a run with other thresholds (whose
    decisions a default run would not take) since the last run: the next run reads the registry
    again, and the one after it does not."""
    roster = write_roster([rosendo("Q1"), rosendo("Q2", "Rosendo Amado")], name="rerun.csv")
    ingest_file(engine, roster, "RERUN")
    resolve(engine)
    with engine.connect() as conn:
        ids = list(
            conn.execute(text("SELECT id FROM padron.registro WHERE programa = 'RERUN'")).scalars()
        )
    change(engine, ids, write_roster)
    rules_run.clear()
    resolve(engine)
    resolve(engine)
    assert rules_run == ["resolve_curp.sql"]
