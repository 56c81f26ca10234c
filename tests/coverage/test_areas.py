"""The coverage areas are built with the reference geography, not by the first refresh after
rosters arrive: they depend on the geography alone, and a roster's refresh should pay only for
the roster."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from boundaries.load import SourceFiles
from geo.coverage import tables as a
from geo.coverage.groups import STANDARD_KEYS
from geo.coverage.refresh import refresh
from geo.kernel.db import make_engine
from geo.pipeline import load_geography
from tests.conftest import DATA_DIR, fresh_database


def test_geography_load_leaves_the_areas_ready(reference_database: str) -> None:
    with fresh_database(template=make_url(reference_database).database) as url:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                localities = conn.execute(
                    select(func.count()).select_from(a.area).where(a.area.c.nivel == "localidad")
                ).scalar_one()
                state = conn.execute(
                    select(a.area.c.poblacion).where(a.area.c.nivel == "estado")
                ).scalar_one()
            assert localities == 10_723
            assert set(STANDARD_KEYS) <= set(state)
            assert not refresh(engine).areas_reconstruidas
            again = load_geography(engine, SourceFiles.discover(DATA_DIR), "20")
            assert not again.load.changed
            assert again.coverage is None  # neither areas rebuilt nor coverage refreshed
        finally:
            engine.dispose()
