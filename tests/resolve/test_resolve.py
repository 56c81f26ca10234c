"""Deterministic resolution into persons, on hand-made records with exact outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from geo.ingest import ingest_file
from geo.kernel import curp
from geo.resolve import duplicated_support, resolve
from tests.ingest.builders import RosterWriter

BORN = dt.date(1948, 5, 17)
ANA = curp.build("Ramírez", "Cruz", "Ana", BORN, "M", "20")
BETO = curp.build("Santiago", "López", "Alberto", BORN, "H", "20")
# Homonyms: same names, birth date and sex, different people (different differentiator).
DORA_1 = curp.build("Velasco", "Aquino", "Dora", BORN, "M", "20", homoclave="0")
DORA_2 = curp.build("Velasco", "Aquino", "Dora", BORN, "M", "20", homoclave="1")


def typo(value: str) -> str:
    """The same CURP with one digit of the date mistyped (its check digit then fails)."""
    mistyped = value[:9] + ("1" if value[9] != "1" else "2") + value[10:]
    assert curp.validate(mistyped).flags == ("curp_check_digit",)
    return mistyped


def person(
    folio: str, value: str, first: str, second: str, given: str, sex: str, amount: str = "1000"
) -> dict[str, str]:
    return {
        "ID_REGISTRO": folio, "NB_CURP": value, "NB_PRIMER_AP": first, "NB_SEGUNDO_AP": second,
        "NB_NOMBRE": given, "FH_NACIMIENTO": BORN.isoformat(), "CD_SEXO": sex,
        "NU_IMP_MONETARIO": amount, "PERIODO": "2024",
    }  # fmt: skip


@pytest.fixture(scope="module")
def personas(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], int | None]:
    from tests.ingest.builders import roster_writer

    write: RosterWriter = roster_writer(tmp_path_factory.mktemp("resolve"))
    x = write(
        [
            person("X1", ANA, "Ramírez", "Cruz", "Ana", "M"),
            person("X2", ANA, "RAMIREZ", "CRUZ", "ANA", "M"),  # listed twice in X
            person("X3", typo(BETO), "Santiago", "López", "Alberto", "H"),
            person("X4", typo(BETO), "Santiago", "López", "Roberto", "H"),  # other name: not Beto
            person("X5", DORA_1, "Velasco", "Aquino", "Dora", "M"),
        ],
        name="x.csv",
    )
    y = write(
        [
            person("Y1", ANA, "Ramírez", "Cruz", "Ana", "M", "2000"),
            person("Y2", BETO, "Santiago", "López", "Alberto", "H"),
            person("Y3", DORA_2, "Velasco", "Aquino", "Dora", "M"),
        ],
        name="y.csv",
    )
    ingest_file(engine, x, "RESX")
    ingest_file(engine, y, "RESY")
    resolve(engine)
    return current(engine)


def current(engine: Engine) -> dict[tuple[str, str], int | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT programa, folio, persona_id FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id"
                " WHERE programa IN ('RESX','RESY','RESZ')"
            )
        ).all()
    return {(p, f): pid for p, f, pid in rows}


def test_same_valid_curp_is_one_person_across_and_within_programs(
    personas: dict[tuple[str, str], int | None],
) -> None:
    ana = personas[("RESX", "X1")]
    assert ana is not None
    assert personas[("RESX", "X2")] == personas[("RESY", "Y1")] == ana


def test_a_mistyped_curp_joins_when_name_date_and_sex_agree(
    personas: dict[tuple[str, str], int | None],
) -> None:
    assert personas[("RESX", "X3")] == personas[("RESY", "Y2")] is not None
    assert personas[("RESX", "X4")] is None  # Roberto is not Alberto: left for review


def test_homonyms_are_never_merged(personas: dict[tuple[str, str], int | None]) -> None:
    assert None not in (personas[("RESX", "X5")], personas[("RESY", "Y3")])
    assert personas[("RESX", "X5")] != personas[("RESY", "Y3")]


def test_ids_are_stable_and_new_rosters_match_incrementally(
    engine: Engine, personas: dict[tuple[str, str], int | None], write_roster: RosterWriter
) -> None:
    resolve(engine)
    assert current(engine) == personas
    z = write_roster([person("Z1", ANA, "Ramírez", "Cruz", "Ana", "M")], name="z.csv")
    ingest_file(engine, z, "RESZ")
    resolve(engine)
    after = current(engine)
    assert after[("RESZ", "Z1")] == personas[("RESX", "X1")]
    assert {k: v for k, v in after.items() if k[0] != "RESZ"} == personas


def test_duplicated_support_report(
    engine: Engine, personas: dict[tuple[str, str], int | None]
) -> None:
    with engine.connect() as conn:
        report = duplicated_support(conn)
    assert report.pares_de_programas[("RESX", "RESY")] == 2  # Ana and Beto
    assert report.duplicados_en_programa["RESX"] == 1  # Ana twice in X
    assert report.personas_por_programa["RESX"] == 3 and report.personas_por_programa["RESY"] == 3
