"""Admin upload of rosters through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from geo.access.users import create_user, issue_token_by_name
from geo.kernel import curp
from tests.api.contract import ContractClient
from tests.ingest.builders import RosterWriter


@pytest.fixture(scope="module")
def admin_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with engine.begin() as conn:
        create_user(conn, "cargas_admin", "admin", "secreto-de-prueba")
        create_user(conn, "cargas_planea", "planeacion", "secreto-de-prueba")
        for name in ("cargas_admin", "cargas_planea"):
            TOKENS[name] = issue_token_by_name(conn, name, timedelta(hours=1)).access_token
    AUTH["Authorization"] = f"Bearer {TOKENS['cargas_admin']}"
    configured = settings.model_copy(update={"max_upload_mb": 1})
    with ContractClient(create_app(configured)) as client:
        yield client


TOKENS: dict[str, str] = {}
AUTH: dict[str, str] = {}


def test_upload_then_status_then_same_file_again(
    admin_client: TestClient, write_roster: RosterWriter
) -> None:
    path: Path = write_roster([{"ID_REGISTRO": "U1"}, {"ID_REGISTRO": ""}])
    files = {"archivo": ("padron.csv", path.read_bytes(), "text/csv")}
    created = admin_client.post("/cargas", data={"programa": "API"}, files=files, headers=AUTH)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["filas_leidas"], body["filas_cargadas"], body["filas_rechazadas"]) == (2, 1, 1)
    # This batch's places only, whatever else the run placed: after tests that ingest without
    # geocoding, the run places their batches too, and the response counted 2,337 "croquis".
    assert body["ubicacion_por_precision"] == {"croquis": 1}
    assert "API" in [p.split()[0] for p in body["cobertura_recalculada"]]
    status = admin_client.get(body["estado"], headers=AUTH).json()
    assert status["archivo"] == "padron.csv" and status["rechazos_por_motivo"] == {"sin_folio": 1}
    assert status["usuario"] == "cargas_admin"
    again = admin_client.post("/cargas", data={"programa": "API"}, files=files, headers=AUTH).json()
    assert again["ya_cargado"] is True and again["carga"] == body["carga"]


def test_two_uploads_at_once_both_load(
    admin_client: TestClient, write_roster: RosterWriter
) -> None:
    """Two administrators upload two programs' rosters at the same moment: both are loaded and
    run through the pipeline (the ingests and geocoding runs once deadlocked or collided, and
    one upload answered 503)."""

    def upload(programa: str) -> int:
        path = write_roster([{"ID_REGISTRO": f"{programa}1"}], name=f"{programa}.csv")
        files = {"archivo": ("padron.csv", path.read_bytes(), "text/csv")}
        response = admin_client.post(
            "/cargas", data={"programa": programa}, files=files, headers=AUTH
        )
        return response.status_code

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(upload, ["A_LA_VEZ_1", "A_LA_VEZ_2"])) == [201, 201]


def test_upload_requires_an_admin_token(admin_client: TestClient) -> None:
    files = {"archivo": ("p.csv", b"ID_REGISTRO,NB_NOMBRE\n1,A\n", "text/csv")}
    assert admin_client.post("/cargas", data={"programa": "API"}, files=files).status_code == 401
    wrong = {"Authorization": "Bearer otro"}
    refused = admin_client.post("/cargas", data={"programa": "API"}, files=files, headers=wrong)
    assert refused.status_code == 401
    planner = {"Authorization": f"Bearer {TOKENS['cargas_planea']}"}
    forbidden = admin_client.post("/cargas", data={"programa": "API"}, files=files, headers=planner)
    assert forbidden.status_code == 403 and "rol" in forbidden.json()["detalle"]


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 400, "vacío"),
        (b"A,B\n1,2\n", 400, "columnas obligatorias"),
        (b"x" * (1024 * 1024 + 1), 413, "excede"),
    ],
)
def test_bad_uploads_are_refused_clearly(
    admin_client: TestClient, content: bytes, status: int, message: str
) -> None:
    files = {"archivo": ("p.csv", content, "text/csv")}
    response = admin_client.post("/cargas", data={"programa": "MALA"}, files=files, headers=AUTH)
    assert response.status_code == status and message in response.json()["detalle"]


def test_unknown_batch_is_404(admin_client: TestClient) -> None:
    response = admin_client.get("/cargas/999999", headers=AUTH)
    assert response.status_code == 404 and "No existe la carga" in response.json()["detalle"]


def test_an_upload_of_people_already_in_another_program_counts_each_person_once(
    admin_client: TestClient, write_roster: RosterWriter, engine: Engine
) -> None:
    people = [
        ("Cruz", "Luna", "Rosa", dt.date(1961, 4, 5), "M"),
        ("Santiago", "Pérez", "Juan", dt.date(1948, 11, 20), "H"),
        ("López", "Mendoza", "Ana María", dt.date(1975, 1, 30), "M"),
    ]
    rows = [
        {
            "NB_PRIMER_AP": first,
            "NB_SEGUNDO_AP": second,
            "NB_NOMBRE": given,
            "FH_NACIMIENTO": born.isoformat(),
            "CD_SEXO": sex,
            "NB_CURP": curp.build(first, second, given, born, sex, "20"),
            "PERIODO": "2030",  # a period of its own: coverage tests own 2031's programs
            "CVE_MUN": "185",  # San Juan Bautista Tuxtepec
            "NOM_MUN": "San Juan Bautista Tuxtepec",
            "CVE_LOC": "0001",
            "NOM_LOC": "San Juan Bautista Tuxtepec",
            "LONGITUD": "",
            "LATITUD": "",
        }
        for first, second, given, born, sex in people
    ]
    for programa in ("UNA_VEZ_A", "UNA_VEZ_B"):
        for number, row in enumerate(rows):
            row["ID_REGISTRO"] = f"{programa}-{number}"
        path = write_roster(rows, name=f"{programa}.csv")
        files = {"archivo": (path.name, path.read_bytes(), "text/csv")}
        created = admin_client.post(
            "/cargas",
            data={"programa": programa, "periodo_atipico": "true"},
            files=files,
            headers=AUTH,
        )
        assert created.status_code == 201, created.text
    # Right after the second upload returned, with no other command: three persons in both.
    with engine.connect() as conn:
        sets = conn.execute(
            text(
                "SELECT programas, personas FROM analisis.combinacion"
                " WHERE periodo = '2030' AND nivel = 'municipio' AND clave = '20185'"
            )
        ).all()
    assert [(list(p), n) for p, n in sets] == [(["UNA_VEZ_A", "UNA_VEZ_B"], 3)]
