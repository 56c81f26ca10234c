"""The review queue shows why a pair is doubtful: each comparison's values side by side, with
its level and weight, in the library, the CLI and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from cli.app import app
from geo.access.users import create_user, issue_token_by_name
from geo.ingest import ingest_file
from geo.resolve import ReviewItem, match, resolve, review_queue
from tests.ingest.builders import RosterWriter, roster_writer

ZOILA = {"FH_NACIMIENTO": "1926-01-30", "CD_SEXO": "M", "NB_CURP": "", "NB_PRIMER_AP": "Yescas",
         "NB_SEGUNDO_AP": "Urieta", "NB_NOMBRE": "Zoila", "CD_EDO_NAC": "OC"}  # fmt: skip


@pytest.fixture(scope="module")
def item(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> ReviewItem:
    write: RosterWriter = roster_writer(tmp_path_factory.mktemp("detalle"))
    ingest_file(engine, write([{**ZOILA, "ID_REGISTRO": "Z1"}], name="z1.csv"), "DETA")
    resolve(engine, model=match.DEFAULT_MODEL)
    other_surname = {**ZOILA, "ID_REGISTRO": "Z2", "NB_SEGUNDO_AP": "Sibaja"}
    ingest_file(engine, write([other_surname], name="z2.csv"), "DETB")
    resolve(engine, model=match.DEFAULT_MODEL)
    with engine.connect() as conn:
        (found,) = [i for i in review_queue(conn, 1000) if i.registro["folio"] == "Z2"]
    return found


def test_each_comparison_is_shown_side_by_side_with_its_level_and_weight(
    item: ReviewItem,
) -> None:
    shown = {c["comparacion"]: c for c in item.comparaciones}
    assert list(shown) == list(match.LEVELS)
    surnames = shown["apellidos"]
    assert (surnames["registro"], surnames["candidato"]) == ("Yescas · Sibaja", "Yescas · Urieta")
    assert surnames["nivel"] == "uno_igual" and surnames["peso"] < 0
    assert (shown["nombre"]["nivel"], shown["fecha"]["nivel"]) == ("igual", "igual")
    assert shown["nombre"]["peso"] > 0 and shown["fecha"]["peso"] > 0
    assert shown["lugar"]["nivel"] == "localidad" and shown["lugar"]["registro"].startswith("067")
    assert shown["curp"] == {"comparacion": "curp", "registro": None, "candidato": None,
                             "nivel": None, "peso": 0.0}  # fmt: skip


def test_the_cli_prints_the_comparisons_as_a_table(item: ReviewItem, database_url: str) -> None:
    listed = CliRunner().invoke(
        app, ["revision", "listar", "--limite", "1000"], env={"DATABASE_URL": database_url}
    )
    assert listed.exit_code == 0
    table = listed.output.split(f"Par {item.id} ")[1].split("\n\n")[0]
    (surnames,) = [line.split() for line in table.splitlines() if "apellidos" in line]
    assert surnames[:7] == ["apellidos", "Yescas", "·", "Sibaja", "Yescas", "·", "Urieta"]
    assert surnames[7] == "uno_igual" and surnames[8].startswith("-")


def test_the_api_returns_the_comparisons(
    item: ReviewItem, engine: Engine, settings: Settings
) -> None:
    with engine.begin() as conn:
        create_user(conn, "revisora_detalle", "planeacion", "secreto-de-prueba")
        token = issue_token_by_name(conn, "revisora_detalle", timedelta(hours=1)).access_token
    with TestClient(create_app(settings)) as client:
        items = client.get(
            "/revision", params={"limite": 1000}, headers={"Authorization": f"Bearer {token}"}
        ).json()
    (shown,) = [i for i in items if i["id"] == item.id]
    assert shown["comparaciones"] == item.comparaciones
