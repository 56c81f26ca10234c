"""What the service does with bad or hostile requests before any route runs: security headers,
forwarded headers, control characters in any field, out-of-range numbers, and login guessing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, text

from api import ratelimit
from api.app import create_app
from api.settings import Settings
from geo.access.users import create_user
from geo.ingest import PUB_FIELDS
from tests.api.acceso.conftest import PASSWORD, AccessData, bearer
from tests.api.contract import ContractClient
from tests.ingest.builders import BASE_ROW


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/mapa", "/salud", "/static/mapa.js", "/no-existe", "/transparencia"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert "worker-src 'self' blob:" in policy and "img-src 'self' data: blob:" in policy
    page = client.get("/mapa").text
    assert "<script>" not in page  # no inline script: the policy allows none


def test_the_basemap_origin_is_allowed_and_docs_keep_working(settings: Settings) -> None:
    configured = settings.model_copy(
        update={"basemap_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}
    )
    with ContractClient(create_app(configured)) as client:
        policy = client.get("/mapa").headers["content-security-policy"]
        assert "img-src 'self' data: blob: https://*.tiles.example.org;" in policy
        docs = client.get("/docs").headers["content-security-policy"]
        # Served from the package (offline offices): no script or style from elsewhere.
        assert "script-src 'self' 'unsafe-inline';" in docs
        assert "style-src 'self' 'unsafe-inline';" in docs


def _audited_address(engine: Engine, user: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(
            text("SELECT cliente FROM acceso.auditoria WHERE usuario = :u ORDER BY id DESC LIMIT 1"),
            {"u": user},
        ).scalar_one())  # fmt: skip


def test_forwarded_for_is_believed_only_from_configured_proxies(
    settings: Settings, access_data: AccessData, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = {"X-Forwarded-For": "203.0.113.9", **bearer(access_data, "planea")}
    with ContractClient(create_app(settings)) as direct:  # default: no proxy is trusted
        direct.post("/campo/buscar", json={"folio": "F1"}, headers=forged)
    assert _audited_address(engine, "planea") == "testclient"
    # The limit's window starts again each minute: requests across its turn were all let
    # through (once in a full run). Its clock stands still here, in the middle of a minute.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 90.0))
    limited = settings.model_copy(update={"public_requests_per_minute": 2})
    with ContractClient(create_app(limited)) as direct:
        codes = [direct.get("/municipios", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                 for i in range(3)]  # fmt: skip
    assert codes == [200, 200, 429]  # a new forged address each time does not reset the limit
    behind = settings.model_copy(update={"trusted_proxies": "testclient"})
    with ContractClient(create_app(behind)) as proxied:
        proxied.post("/campo/buscar", json={"folio": "F1"}, headers=forged)
    assert _audited_address(engine, "planea") == "203.0.113.9"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("post", "/token", {"data": {"username": "a\x00b", "password": "x"}}, "username"),
        ("post", "/cobertura/simulacion", {"json": {"periodo": "20\x0024"}}, "periodo"),
        ("post", "/cobertura/simulacion", {"json": {"programas": ["A", "B\x00"]}}, "programas.1"),
        ("get", "/municipios", {"params": {"nombre": "Oax\x00aca"}}, "nombre"),
    ],
)
def test_control_characters_in_any_field_are_a_400_naming_it(
    client: TestClient, method: str, path: str, kwargs: dict[str, object], field: str
) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400, response.text
    assert response.json()["detalle"] == f"El campo «{field}» contiene caracteres de control."


def test_numbers_past_bigint_are_a_422(client: TestClient, access_data: AccessData) -> None:
    admin = bearer(access_data, "jefa")
    assert client.get(f"/cargas/{2**63}", headers=admin).status_code == 422
    assert client.post(f"/cargas/{2**64}/retiro", headers=admin).status_code == 422
    big = client.post("/cobertura/simulacion", json={"poblacion_min": 10**30})
    assert big.status_code == 422, big.text


@pytest.fixture
def admin_upload(client: TestClient, access_data: AccessData) -> Iterator[dict[str, str]]:
    yield bearer(access_data, "jefa")


def test_uploads_of_hostile_csv_are_4xx(client: TestClient, admin_upload: dict[str, str]) -> None:
    wide = b"ID_REGISTRO,NB_NOMBRE," + b"X" * 140_000 + b"\nA,B,C\n"
    answer = client.post(
        "/cargas",
        data={"programa": "ANCHO"},
        files={"archivo": ("a.csv", wide)},
        headers=admin_upload,
    )
    assert answer.status_code == 400 and "encabezado" in answer.json()["detalle"]
    nul = b"ID_REGISTRO,NB_NOMBRE\nA,B\nC,D\x00,E\n"
    answer = client.post(
        "/cargas",
        data={"programa": "NULO", "periodo": "2024"},
        files={"archivo": ("n.csv", nul)},
        headers=admin_upload,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["rechazos_por_motivo"] == {"columnas": 1}
    future = client.post(
        "/cargas",
        data={"programa": "NULO", "periodo": "2099"},
        files={"archivo": ("n.csv", nul)},
        headers=admin_upload,
    )
    assert future.status_code == 400 and "Periodo no admitido" in future.json()["detalle"]


def test_an_xlsx_upload_is_loaded(
    client: TestClient, admin_upload: dict[str, str], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(PUB_FIELDS))
    sheet.append([{**BASE_ROW, "ID_REGISTRO": "XL1", "PERIODO": "2024"}[f] for f in PUB_FIELDS])
    workbook.save(tmp_path / "p.xlsx")
    files = {"archivo": ("padron.xlsx", (tmp_path / "p.xlsx").read_bytes())}
    answer = client.post("/cargas", data={"programa": "XLSXAPI"}, files=files, headers=admin_upload)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["filas_leidas"], answer.json()["filas_cargadas"]) == (1, 1)


def test_login_is_locked_after_failures_per_user_and_per_address(
    settings: Settings, engine: Engine
) -> None:
    with engine.begin() as conn:
        create_user(conn, "adivinada", "planeacion", PASSWORD)
    policy = settings.model_copy(
        update={
            "login_failures_per_user": 3,
            "login_failures_per_address": 5,
            "trusted_proxies": "testclient",
        }
    )
    with ContractClient(create_app(policy)) as client:

        def login(user: str, password: str, address: str = "10.0.0.1") -> int:
            return client.post("/token", data={"username": user, "password": password},
                               headers={"X-Forwarded-For": address}).status_code  # fmt: skip

        assert [login("adivinada", "mala") for _ in range(3)] == [401, 401, 401]
        locked = client.post("/token", data={"username": "adivinada", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        assert "Demasiados intentos" in locked.json()["detalle"]
        # Per address: two more failures on other names reach the address's limit of five.
        assert [login("otra", "mala"), login("otra2", "mala"), login("otra3", "mala")] == [
            401,
            401,
            429,
        ]
    with engine.connect() as conn:
        lines = conn.execute(text(
            "SELECT accion, count(*) FROM acceso.auditoria WHERE usuario IN ('adivinada', 'otra3')"
            " GROUP BY accion ORDER BY accion"
        )).all()  # fmt: skip
    assert [tuple(r) for r in lines] == [("acceso_bloqueado", 2), ("acceso_fallido", 3)]


def test_a_password_hash_of_older_parameters_is_upgraded_at_login(
    client: TestClient, engine: Engine
) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with engine.begin() as conn:
        create_user(conn, "antigua", "planeacion", PASSWORD)
        conn.execute(text("UPDATE acceso.usuario SET secreto_hash = :h WHERE nombre = 'antigua'"),
                     {"h": old.hash(PASSWORD)})  # fmt: skip
    answer = client.post("/token", data={"username": "antigua", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT secreto_hash FROM acceso.usuario WHERE nombre = 'antigua'")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and not PasswordHasher().check_needs_rehash(stored)
    assert (
        client.post("/token", data={"username": "antigua", "password": PASSWORD}).status_code == 200
    )


def test_validation_errors_name_the_field_in_spanish(client: TestClient) -> None:
    answer = client.get("/municipios", params={"limite": "abc"})
    assert answer.status_code == 422
    assert answer.json()["errores"] == [
        {"campo": "limite", "problema": "debe ser un número entero"}
    ]
    answer = client.post("/cobertura/simulacion", json={"poblacion_min": -1, "limite": 10**6})
    problems = {e["campo"]: e["problema"] for e in answer.json()["errores"]}
    assert problems == {"poblacion_min": "debe ser mayor o igual que 0",
                        "limite": "debe ser menor o igual que 1000"}  # fmt: skip
