"""Hand-made registry data, users and tokens for the access, field and transparency tests.

Programs ``ACCA``/``ACCB`` hold two persons for the field tests; ``ACCT`` holds 21 persons in
three municipalities for the suppression tests, in a period of its own. The records are resolved and published, as the
pipeline would. Every name and CURP here is distinctive so the
public sweep can look for them in any response.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from geo.access.users import create_user, issue_token_by_name
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.curp import check_digit
from geo.pipeline import refresh_and_publish
from geo.resolve import resolve
from tests.api.contract import ContractClient
from tests.ingest.builders import roster_writer


def curp(first17: str) -> str:
    return first17 + check_digit(first17)


MARIA = curp("BAOG500302MOCTRD1")
"""Not the roster builder's default CURP (``...D07``), which other modules' rows carry into the
session's database: a search by this CURP finds these modules' records alone."""
JUAN = curp("LOPJ800101HOCPRN0")

OAXACA = {"CVE_MUN": "067", "NOM_MUN": "Oaxaca de Juárez", "CVE_LOC": "0001",
          "NOM_LOC": "Oaxaca de Juárez", "LONGITUD": "-96.7255", "LATITUD": "17.0600"}  # fmt: skip
JUCHITAN = {"CVE_MUN": "043", "NOM_MUN": "Juchitán de Zaragoza", "CVE_LOC": "0001",
            "NOM_LOC": "Juchitán de Zaragoza", "LONGITUD": "-95.0203", "LATITUD": "16.4347"}  # fmt: skip
SANTA_LUCIA = {"CVE_MUN": "390", "NOM_MUN": "Santa Lucía del Camino", "CVE_LOC": "0001",
               "NOM_LOC": "Santa Lucía del Camino"}  # fmt: skip

ACCT_PERIOD = "2024-T3"
"""ACCT alone in its period: its suppression is read without the field tests' two tiny programs
(whose persons would hide most of it; see ``test_transparencia``)."""
GIVEN = ["Zenaida", "Eustolia", "Filogonio", "Herminia", "Tranquilino", "Crispina", "Abundio"]
SURNAMES = ["Quiroz", "Yescas", "Zárate", "Villalobos", "Ugalde", "Xolalpa"]
PASSWORD = "contraseña-de-prueba"


@dataclass(frozen=True)
class AccessData:
    """Ids and tokens the tests use."""

    maria_a: int
    maria_b: int
    juan: int
    carga_a: int
    tokens: dict[str, str]
    roster_names: frozenset[str]
    roster_curps: frozenset[str]
    exact_points: frozenset[tuple[float, float]]


def _people(count: int, place: dict[str, str], start: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(start, start + count):
        given, surname = GIVEN[i % len(GIVEN)], SURNAMES[i % len(SURNAMES)]
        first17 = f"QUZE{(60 + i) % 100:02d}0101MOCQZR0"
        rows.append({**place, "ID_REGISTRO": f"T{i:03d}", "NB_NOMBRE": given,
                     "NB_PRIMER_AP": surname, "NB_SEGUNDO_AP": "Xicoténcatl",
                     "NB_CURP": curp(first17), "PERIODO": ACCT_PERIOD,
                     "LONGITUD": "", "LATITUD": ""})  # fmt: skip
    return rows


@pytest.fixture(scope="session")
def access_data(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> AccessData:
    write = roster_writer(tmp_path_factory.mktemp("acceso"))
    a_rows = [
        {**OAXACA, "ID_REGISTRO": "F1", "NB_CURP": MARIA, "PERIODO": "2024-T2",
         "NU_IMP_MONETARIO": "3100.00"},
        {**JUCHITAN, "ID_REGISTRO": "F2", "NB_CURP": JUAN, "NB_NOMBRE": "Juan",
         "NB_PRIMER_AP": "López", "NB_SEGUNDO_AP": "Pérez", "FH_NACIMIENTO": "1980-01-01",
         "CD_SEXO": "H", "PERIODO": "2024-T2", "NU_IMP_MONETARIO": "2000.00"},
    ]  # fmt: skip
    b_rows = [{**OAXACA, "ID_REGISTRO": "G1", "NB_CURP": MARIA, "PERIODO": "2024-T2",
               "NU_IMP_MONETARIO": "1500.00", "LONGITUD": "-96.7260"}]  # fmt: skip
    t_rows = (
        _people(12, OAXACA | {"LONGITUD": "", "LATITUD": ""}, 0)
        + _people(6, JUCHITAN | {"LONGITUD": "", "LATITUD": ""}, 12)
        + _people(3, SANTA_LUCIA, 18)
    )
    cargas = {}
    for program, rows, periodo in (
        ("ACCA", a_rows, "2024-T2"), ("ACCB", b_rows, "2024-T2"), ("ACCT", t_rows, ACCT_PERIOD)
    ):  # fmt: skip
        result = ingest_file(engine, write(rows, name=f"{program}.csv"), program, periodo=periodo)
        assert result.filas_rechazadas == 0, result.rechazos
        geocode(engine, result.carga_id)
        cargas[program] = result.carga_id
    resolve(engine)
    refresh_and_publish(engine)
    with engine.begin() as conn:
        ids = dict(
            conn.execute(
                text(
                    "SELECT programa || ':' || folio, id FROM padron.registro "
                    "WHERE programa IN ('ACCA', 'ACCB')"
                )
            ).all()
        )
        for name, rol, municipios, regiones in (
            ("campo_oax", "campo", ["20067"], []),
            ("campo_istmo", "campo", [], ["Istmo"]),
            ("planea", "planeacion", [], []),
            ("jefa", "admin", [], []),
        ):
            create_user(conn, name, rol, PASSWORD, municipios, regiones)
        tokens = {
            name: issue_token_by_name(conn, name, timedelta(hours=1)).access_token
            for name in ("campo_oax", "campo_istmo", "planea", "jefa")
        }
    every_row = a_rows + b_rows + t_rows
    names = {r.get("NB_NOMBRE", "María Guadalupe") for r in every_row} | {
        r.get(k, "") for r in every_row for k in ("NB_PRIMER_AP", "NB_SEGUNDO_AP")
    }
    points = {(float(r["LONGITUD"]), float(r["LATITUD"])) for r in every_row if r["LONGITUD"]}
    return AccessData(
        maria_a=ids["ACCA:F1"],
        maria_b=ids["ACCB:G1"],
        juan=ids["ACCA:F2"],
        carga_a=cargas["ACCA"],
        tokens=tokens,
        roster_names=frozenset(n for n in names if n),
        roster_curps=frozenset({MARIA, JUAN} | {r["NB_CURP"] for r in t_rows}),
        exact_points=frozenset(points),
    )


def bearer(data: AccessData, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {data.tokens[user]}"}


@pytest.fixture(scope="module")
def photo_client(
    engine: Engine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Path]]:
    """An app with its own home (so its photo folder is empty at start) and a 1 KB photo limit."""
    home = tmp_path_factory.mktemp("home-fotos")
    configured = settings.model_copy(update={"home": home, "max_photo_mb": 1 / 1024})
    with ContractClient(create_app(configured)) as client:
        yield client, configured.photo_dir
