"""Records as resolution reads them, shared by the modules that compare ways of matching them."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from devtools.synth import FEDERAL_BENEFITS, STATE_BENEFITS, ProgramSpec, SynthConfig, generate
from geo.ingest import ingest_file
from geo.ingest.tables import registro
from geo.resolve import match
from geo.resolve.resolver import load_for_matching, name_frequencies
from tests.conftest import DATA_DIR


@pytest.fixture(scope="package")
def prepared(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, int]:
    """Two synthetic rosters sharing a third of their people, every kind of damage, not
    resolved: the records as resolution reads them, and the registry's size."""
    folder = tmp_path_factory.mktemp("rebanadas")
    programs = (
        ProgramSpec("REBANA", 1_500, STATE_BENEFITS, ("2016",)),
        ProgramSpec("REBANB", 1_500, FEDERAL_BENEFITS, ("2016",)),
    )
    generate(DATA_DIR, folder, SynthConfig(seed=31, programs=programs))
    for program in programs:
        ingest_file(engine, folder / program.file_name, program.code)
    with engine.connect() as conn:
        population = conn.execute(select(func.count()).select_from(registro)).scalar_one()
        records = load_for_matching(conn, population)
        frequencies = name_frequencies(conn)
    return match.prepare(records, frequencies), population
