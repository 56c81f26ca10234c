"""The coverage tables against the counting rule written out in Python (docs/coverage.md), on a
seeded random registry: persons listed many times in two programs, dates of registration missing
or tied, records placed in a locality, only in a municipality or nowhere, amounts missing."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text

from geo.coverage.refresh import refresh
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel import curp
from geo.resolve import resolve
from tests.api.conftest import L1, L2, MUN, coverage_row
from tests.ingest.builders import roster_writer

PERIOD = "2039"
"""A period no other test uses."""
SEAT = MUN + "0001"
NAMES = [("Santiago", "Mendoza", "Eva", "M"), ("Ramos", "Pérez", "Adolfo", "H"),
         ("López", "Vera", "Gilberto", "H"), ("Cruz", "Luna", "Irma", "M"),
         ("Díaz", "Soto", "Juana", "M"), ("Reyes", "Mora", "Pablo", "H")]  # fmt: skip
SURNAMES = ["Aguilar", "Bravo", "Castro", "Flores", "Gómez", "Hernández", "Jiménez", "Martínez"]
GIVEN = ["Rosa", "Carmen", "Dolores", "Lucía", "Teresa", "Marta"]


def random_rows(rng: random.Random, program: str, count: int) -> list[dict[str, str]]:
    """Rows of six persons with a CURP (many listings each) and some without one."""
    rows = []
    for n in range(count):
        fields: dict[str, str] = {}
        if rng.random() < 0.8:
            first, second, given, sex = rng.choice(NAMES)
            born = dt.date(1950, 1, 1 + NAMES.index((first, second, given, sex)))
            fields = {"NB_CURP": curp.build(first, second, given, born, sex, "20"),
                      "NB_PRIMER_AP": first, "NB_SEGUNDO_AP": second, "NB_NOMBRE": given,
                      "CD_SEXO": sex, "FH_NACIMIENTO": born.isoformat()}  # fmt: skip
        else:
            born = dt.date(1960, 1, 1) + dt.timedelta(days=97 * n)
            fields = {"NB_CURP": "", "NB_PRIMER_AP": rng.choice(SURNAMES),
                      "NB_SEGUNDO_AP": rng.choice(SURNAMES), "NB_NOMBRE": rng.choice(GIVEN),
                      "FH_NACIMIENTO": born.isoformat()}  # fmt: skip
        place = rng.choice([L1, L2, SEAT, "municipio", "ninguno"])
        row = coverage_row(f"{program}{n}", place if place[0].isdigit() else SEAT, **fields)
        if place == "municipio":
            row |= {"CVE_LOC": "", "NOM_LOC": ""}
        elif place == "ninguno":
            row |= {"CVE_MUN": "", "NOM_MUN": "", "CVE_LOC": "", "NOM_LOC": "", "CP": ""}
        row |= {
            "PERIODO": PERIOD,
            "FH_ALTA": rng.choice(["", "20390105", "20390301", "20390301", "20391120"]),
            "NU_IMP_MONETARIO": rng.choice(["", "100", "250.50", "1000"]),
        }
        rows.append(row)
    return rows


def expected(records: list[Any]) -> tuple[dict[tuple[str, str, str], tuple], dict[tuple, tuple]]:
    """Coverage (program, level, key) → persons, records, amount, repeated amount; and program
    sets (level, key, programs) → persons, amount; as docs/coverage.md states the rule."""
    home: dict[int, Any] = {}
    for r in records:  # the most recent record placed in a municipality of the state
        if r.cvegeo_mun is None:
            continue
        rank = (r.fecha_alta or dt.date.min, r.cvegeo_loc is not None, r.id)
        if r.persona not in home or rank > home[r.persona][0]:
            home[r.persona] = (rank, r)
    listings: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r.id):
        if r.persona in home:
            listings[(r.persona, r.programa)].append(r)

    def keys(place: Any) -> list[tuple[str, str]]:
        levels = [("municipio", place.cvegeo_mun), ("distrito", place.distrito),
                  ("region", place.region), ("estado", place.cvegeo_mun[:2])]  # fmt: skip
        return ([("localidad", place.cvegeo_loc)] if place.cvegeo_loc else []) + levels

    coverage: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0)])
    sets: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    programs: dict[int, list[str]] = defaultdict(list)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for (person, program), rows in listings.items():
        amounts = [r.importe or Decimal(0) for r in rows]
        for level, key in keys(home[person][1]):
            figures = coverage[(program, level, key)]
            figures[0] += 1
            figures[1] += len(rows)
            figures[2] += sum(amounts)
            figures[3] += sum(amounts) - amounts[0]
        programs[person].append(program)
        paid[person] += sum(amounts)
    for person, names in programs.items():
        for level, key in keys(home[person][1]):
            figures = sets[(level, key, tuple(sorted(names)))]
            figures[0] += 1
            figures[1] += paid[person]
    return ({k: tuple(v) for k, v in coverage.items()}, {k: tuple(v) for k, v in sets.items()})


def test_coverage_follows_the_counting_rule(engine: Engine, tmp_path: Any) -> None:
    rng = random.Random(2039)
    write = roster_writer(tmp_path)
    for program in ("REGLA", "REGLB"):
        path = write(random_rows(rng, program, 90), name=f"{program}.csv")
        result = ingest_file(engine, path, program, periodo=PERIOD, periodo_atipico=True)
        assert result.filas_cargadas == 90, result.rechazos
        geocode(engine, result.carga_id)
    resolve(engine)
    refresh(engine)
    with engine.connect() as conn:
        records = conn.execute(
            text(
                "SELECT r.id, coalesce(a.persona_id, -r.id) AS persona, r.programa, r.importe,"
                " r.fecha_alta, u.cvegeo_loc, m.cvegeo AS cvegeo_mun, m.distrito, m.region"
                " FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id"
                " LEFT JOIN padron.ubicacion u ON u.registro_id = r.id"
                " LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc"
                " LEFT JOIN boundaries.municipio m"
                "        ON m.cvegeo = coalesce(l.cvegeo_mun, u.cvegeo_mun)"
                " WHERE r.periodo = :p"
            ),
            {"p": PERIOD},
        ).all()
        coverage = conn.execute(
            text(
                "SELECT programa, nivel, clave, personas, registros, importe, importe_repetido"
                " FROM analisis.cobertura WHERE periodo = :p AND personas > 0"
            ),
            {"p": PERIOD},
        ).all()
        sets = conn.execute(
            text(
                "SELECT nivel, clave, programas, personas, importe FROM analisis.combinacion"
                " WHERE periodo = :p"
            ),
            {"p": PERIOD},
        ).all()
    want_coverage, want_sets = expected(records)
    # The registry has what the rule turns on: persons listed often, some nowhere, ties.
    persons = {r.persona for r in records}
    assert len(records) == 180 and 10 < len(persons) < 100
    assert any(r.cvegeo_mun is None for r in records) and any(r.fecha_alta is None for r in records)
    assert {k[1] for k in want_coverage} == {
        "localidad",
        "municipio",
        "distrito",
        "region",
        "estado",
    }
    assert {(p, n, c): (a, b, d, e) for p, n, c, a, b, d, e in coverage} == want_coverage
    assert {(n, c, tuple(p)): (a, b) for n, c, p, a, b in sets} == want_sets
