"""Admin upload of rosters through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from geo.access import create_user, issue_token_by_name
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
    with TestClient(create_app(configured), raise_server_exceptions=False) as client:
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
    assert body["ubicacion_por_precision"] == {"croquis": 1}
    assert "API" in [p.split()[0] for p in body["cobertura_recalculada"]]
    status = admin_client.get(body["estado"], headers=AUTH).json()
    assert status["archivo"] == "padron.csv" and status["rechazos_por_motivo"] == {"sin_folio": 1}
    assert status["usuario"] == "cargas_admin"
    again = admin_client.post("/cargas", data={"programa": "API"}, files=files, headers=AUTH).json()
    assert again["ya_cargado"] is True and again["carga"] == body["carga"]


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
