"""Duplicated-support report and review queue through the API and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from cli.app import app
from geo.access.users import create_user, issue_token_by_name, query_audit
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.pipeline import refresh_and_publish
from geo.resolve import match, resolve
from tests.api.contract import ContractClient
from tests.ingest.builders import RosterWriter

AUTH: dict[str, str] = {}
FIELD: dict[str, str] = {}
LOCAL_PLANNER: dict[str, str] = {}
BASE = {"FH_NACIMIENTO": "1927-10-11", "CD_SEXO": "M", "NB_CURP": "", "NB_PRIMER_AP": "Quiroz",
        "NB_SEGUNDO_AP": "Luna", "NB_NOMBRE": "Irma", "NU_IMP_MONETARIO": "500"}  # fmt: skip


@pytest.fixture(scope="module")
def admin_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with engine.begin() as conn:
        create_user(conn, "revisora", "planeacion", "secreto-de-prueba")
        create_user(conn, "revision_campo", "campo", "secreto-de-prueba", municipios=["20067"])
        create_user(conn, "revisora_local", "planeacion", "secreto-de-prueba", municipios=["20067"])
        for name, headers in (
            ("revisora", AUTH),
            ("revision_campo", FIELD),
            ("revisora_local", LOCAL_PLANNER),
        ):
            token = issue_token_by_name(conn, name, timedelta(hours=1)).access_token
            headers["Authorization"] = f"Bearer {token}"
    with ContractClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def queued(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.ingest.builders import roster_writer

    write: RosterWriter = roster_writer(tmp_path_factory.mktemp("revision"))
    ingest_file(engine, write([{**BASE, "ID_REGISTRO": "Q1"}], name="q1.csv"), "REVA")
    resolve(engine, model=match.DEFAULT_MODEL)
    doubtful = {**BASE, "ID_REGISTRO": "Q2", "NB_SEGUNDO_AP": "Solano"}  # one surname differs
    ingest_file(engine, write([doubtful], name="q2.csv"), "REVB")
    resolve(engine, model=match.DEFAULT_MODEL)


def test_the_queue_needs_a_reviewer(queued: None, admin_client: TestClient) -> None:
    assert admin_client.get("/revision").status_code == 401
    assert admin_client.get("/revision", headers=FIELD).status_code == 403
    local = admin_client.get("/revision", headers=LOCAL_PLANNER)
    assert local.status_code == 403 and "área" in local.json()["detalle"]
    assert admin_client.post("/revision/1", json={"decision": "misma"}).status_code == 401


def test_list_then_decide_then_resolve(
    queued: None, admin_client: TestClient, engine: Engine
) -> None:
    items = admin_client.get("/revision", headers=AUTH).json()
    (item,) = [i for i in items if i["registro"]["folio"] == "Q2"]
    assert item["candidato"]["folio"] == "Q1" and 0.5 <= item["probabilidad"] < 0.99
    bad = admin_client.post(f"/revision/{item['id']}", json={"decision": "quizá"}, headers=AUTH)
    assert bad.status_code == 422 and "detalle" in bad.json()
    missing = admin_client.post("/revision/999999", json={"decision": "misma"}, headers=AUTH)
    assert missing.status_code == 404 and "999999" in missing.json()["detalle"]
    decided = admin_client.post(f"/revision/{item['id']}", json={"decision": "misma"}, headers=AUTH)
    assert decided.json() == {"par": item["id"], "decision": "misma"}
    with engine.connect() as conn:
        audit = query_audit(conn, usuario_nombre="revisora")
        decided_by = conn.execute(
            text("SELECT decidida_por FROM padron.revision WHERE id = :i"), {"i": item["id"]}
        ).scalar_one()
    assert decided_by == "revisora"
    seen = {(a["accion"], a["registro_id"]) for a in audit}
    assert {
        ("revision_ver", item["registro"]["id"]),
        ("revision_ver", item["candidato"]["id"]),
    } <= seen
    assert ("revision_decidir", None) in seen
    resolve(engine, model=match.DEFAULT_MODEL)
    assert all(i["id"] != item["id"] for i in admin_client.get("/revision", headers=AUTH).json())
    geocode(engine)
    refresh_and_publish(engine)
    report = admin_client.get("/duplicados", params={"periodo": "2024"}, headers=AUTH).json()
    assert report["exactas"] and report["periodo"] == "2024"
    assert report["pares_de_programas"]["REVA|REVB"] == 1
    assert report["personas_por_programa"]["REVA"] == 1
    public = admin_client.get("/duplicados", params={"periodo": "2024"}).json()
    assert public["pares_de_programas"]["REVA|REVB"] is None  # one person: not published


def test_cli_lists_and_rejects_a_bad_decision(queued: None, database_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    listed = runner.invoke(app, ["revision", "listar", "--limite", "5"], env=env)
    assert listed.exit_code == 0
    wrong = runner.invoke(app, ["revision", "decidir", "1", "tal-vez"], env=env)
    assert wrong.exit_code == 1 and "misma" in wrong.output
    report = runner.invoke(app, ["duplicados", "--json"], env=env)
    assert report.exit_code == 0 and '"personas_por_programa"' in report.output


def test_an_offset_beyond_bigint_is_a_validation_error(admin_client: TestClient) -> None:
    """Found by the fuzzer: PostgreSQL's OFFSET overflowed and the API answered 503."""
    huge = {"desplazamiento": str(2**120)}
    response = admin_client.get("/revision", params=huge, headers=AUTH)
    assert (
        response.status_code == 422 and response.json()["errores"][0]["campo"] == "desplazamiento"
    )
    assert admin_client.get("/municipios", params=huge).status_code == 422
