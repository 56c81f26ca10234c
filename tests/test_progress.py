"""Long work tells a :class:`geo.kernel.progress.Progress` how far it is: every step of the
pipeline, against a real database, with counts that grow to their total."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from geo.ingest import loader
from geo.kernel.db import make_engine, upgrade
from geo.pipeline import RosterFile, process_rosters
from tests.conftest import fresh_database
from tests.ingest.builders import RosterWriter
from tests.progress import Recorder


@pytest.fixture(scope="module")
def bare_engine() -> Iterator[Engine]:
    """A migrated database without reference data: every step runs (nothing gets placed), and
    the rows of this module touch no other test's counts."""
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def test_pipeline_tells_every_step_until_done(
    bare_engine: Engine, write_roster: RosterWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", 1_000)  # 1 MiB blocks: the file reads in pieces
    rows = [
        {"ID_REGISTRO": f"P{i:05d}", "DESCRUBIC": "Junto a la escuela " * 20} for i in range(4_000)
    ]
    roster = write_roster(rows)
    assert roster.stat().st_size > 2 << 20
    recorder = Recorder()

    process_rosters(bare_engine, [RosterFile(roster, "PROGRESO", "2024")], progress=recorder)

    assert recorder.finished() == {
        "Carga de padron.csv": (4_000, "filas"),
        "Ubicación": (4_000, "registros"),
        "Personas": (3, "pasos"),  # CURP rules, matching, counts
        "Cobertura": (1, "periodos"),  # 2024, every program of it together
    }
    read = recorder.counts("Carga de padron.csv")
    assert len(read) >= 3 and 0 < read[0] < 4_000  # told chunk by chunk, not only at the end
    totals = {total for step, _, total, _ in recorder.calls if step == "Carga de padron.csv"}
    assert totals == {4_000}  # estimated from the line breaks before the first chunk

    again = Recorder()
    process_rosters(bare_engine, [RosterFile(roster, "PROGRESO", "2024")], progress=again)
    assert again.finished() == {"Carga de padron.csv": (4_000, "filas"), "Personas": (3, "pasos")}
