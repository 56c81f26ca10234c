"""The publication never fails on records with missing parts: rosters whose rows lack the
municipality, the locality, the period or what identifies a person go through the whole
pipeline, and the published tables stay readable and suppressed (property test, hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from geo.ingest import ingest_file
from geo.kernel import curp
from geo.pipeline import process_pending
from geo.publish import transparency
from geo.publish.publication import CellFilter, cells
from tests.api.sweep import small_counts
from tests.ingest.builders import roster_writer

K = 5
PLACES = [
    {"CVE_MUN": "067", "NOM_MUN": "Oaxaca de Juárez", "CVE_LOC": "0001", "NOM_LOC": "Oaxaca de Juárez"},
    {"CVE_MUN": "034", "NOM_MUN": "Guadalupe de Ramírez", "CVE_LOC": "0002", "NOM_LOC": ""},
    {"CVE_MUN": "043", "NOM_MUN": "Juchitán de Zaragoza", "CVE_LOC": "", "NOM_LOC": ""},
]  # fmt: skip
GIVEN = ["Eulalia", "Porfirio", "Refugio", "Anacleto", "Casimira", "Sixto"]
counter = itertools.count()


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, str]]:
    found = []
    for i in range(draw(st.integers(1, 8))):
        place = dict(draw(st.sampled_from(PLACES)))
        for key in ("CVE_MUN", "CVE_LOC", "NOM_MUN", "NOM_LOC"):
            if draw(st.booleans()) and draw(st.booleans()):
                place[key] = ""  # missing municipality or locality, a quarter of the time each
        person = draw(st.integers(0, 5))
        name = GIVEN[person]
        born = dt.date(1940 + person, 1 + person, 1 + person)
        row = {
            **place,
            "ID_REGISTRO": f"H{i}",
            "NB_NOMBRE": name,
            "NB_PRIMER_AP": "Mendoza",
            "NB_SEGUNDO_AP": "Ríos",
            "FH_NACIMIENTO": born.isoformat(),
            "NB_CURP": curp.build("Mendoza", "Ríos", name, born, "M", "20")
            if draw(st.booleans())
            else "",
            "PERIODO": draw(st.sampled_from(["2061", "2062", ""])),
            "LONGITUD": "",
            "LATITUD": "",
            "NU_IMP_MONETARIO": draw(st.sampled_from(["", "800", "1200.50"])),
        }
        found.append(row)
    return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faltantes")


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows())
def test_records_with_missing_parts_never_break_the_publication(
    engine: Engine, folder: Path, roster: list[dict[str, str]]
) -> None:
    program = f"FALTA{next(counter)}"
    path = roster_writer(folder)(roster, name=f"{program}.csv")
    ingest_file(engine, path, program)
    report = process_pending(engine).publication
    assert report.k == K  # rebuilt, or left as it was when nothing it reads changed
    with engine.connect() as conn:
        for exact in (False, True):
            found, _ = cells(conn, CellFilter(programa=program), exact=exact)
            rows_ = transparency.rows(conn, exact=exact, programa=program)
            assert len(rows_) == len(found)
        public, _ = cells(conn, CellFilter(programa=program), exact=False)
        exact_cells, _ = cells(conn, CellFilter(programa=program), exact=True)
    assert list(small_counts(public, K)) == []
    persons = {
        level: sum(c["personas"] or 0 for c in exact_cells if c["nivel"] == level)
        for level in ("estado", "region", "distrito", "municipio", "localidad")
    }
    # Each person counted in one place per period: every level adds up to the state, which
    # holds no more persons than the roster has rows.
    assert len(set(persons.values())) == 1, persons
    assert persons["estado"] <= len(roster)
