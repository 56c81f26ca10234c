"""Resolving roster by roster (as the pipeline does after every upload) finds the persons that
resolving every record at once finds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from devtools.synth import SynthConfig, generate
from geo.ingest import ingest_file
from geo.kernel import curp
from geo.kernel.db import make_engine, upgrade
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
