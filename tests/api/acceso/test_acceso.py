"""Users, tokens, roles and the append-only audit log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from geo.access.users import create_user, deactivate_user, issue_token_by_name, user_for_token
from geo.kernel.errors import InvalidParameter
from tests.api.acceso.conftest import PASSWORD, AccessData, bearer


def test_password_flow_issues_a_working_token(client: TestClient, access_data: AccessData) -> None:
    wrong = client.post("/token", data={"username": "planea", "password": "no-es-esta"})
    assert (
        wrong.status_code == 401 and wrong.json()["detalle"] == "Usuario o contraseña incorrectos."
    )
    unknown = client.post("/token", data={"username": "nadie", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json() == wrong.json()
    issued = client.post("/token", data={"username": "planea", "password": PASSWORD})
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 480 * 60
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get(f"/campo/registros/{access_data.juan}", headers=headers).status_code == 200


def test_secrets_are_stored_hashed(engine: Engine, access_data: AccessData) -> None:
    with engine.connect() as conn:
        stored = conn.scalar(
            text("SELECT secreto_hash FROM acceso.usuario WHERE nombre = 'planea'")
        )
        hashes = set(conn.scalars(text("SELECT hash FROM acceso.token")))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert not set(access_data.tokens.values()) & hashes


def test_expired_and_deactivated_tokens_are_refused(engine: Engine, client: TestClient) -> None:
    with engine.begin() as conn:
        create_user(conn, "temporal", "planeacion", PASSWORD)
        expired = issue_token_by_name(conn, "temporal", timedelta(seconds=-1)).access_token
        live = issue_token_by_name(conn, "temporal", timedelta(hours=1)).access_token
    assert (
        client.get("/panel/datos", headers={"Authorization": f"Bearer {expired}"}).status_code
        == 401
    )
    with engine.begin() as conn:
        assert user_for_token(conn, live) is not None
        deactivate_user(conn, "temporal")
        assert user_for_token(conn, live) is None
    refused = client.post(
        "/campo/buscar", json={"folio": "F1"}, headers={"Authorization": f"Bearer {live}"}
    )
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("route", "user", "status"),
    [
        ("/auditoria", None, 401),
        ("/auditoria", "campo_oax", 403),
        ("/auditoria", "planea", 403),
        ("/auditoria", "jefa", 200),
        ("/panel/datos", "planea", 403),
        ("/panel/datos", "jefa", 200),
        ("/campo/plan?localidad=200670001", None, 401),
        ("/cargas/1", "campo_oax", 403),
    ],
)
def test_roles_gate_the_routes(
    client: TestClient, access_data: AccessData, route: str, user: str | None, status: int
) -> None:
    headers = bearer(access_data, user) if user else {}
    assert client.get(route, headers=headers).status_code == status


def test_users_need_a_valid_role_area_and_password(engine: Engine) -> None:
    with engine.connect() as conn:
        for args, message in [
            (("x1", "jefe", PASSWORD), "Rol desconocido"),
            (("x2", "campo", PASSWORD), "municipios o regiones"),
            (("x3", "campo", PASSWORD, ["20999"]), "Municipios inexistentes: 20999"),
            (("x4", "campo", PASSWORD, [], ["Atlántida"]), "Regiones inexistentes"),
            (("x5", "admin", "corta"), "al menos 10"),
            (("planea", "admin", PASSWORD), "Ya existe"),
        ]:
            with pytest.raises(InvalidParameter, match=message):
                create_user(conn, *args)  # type: ignore[arg-type]


def test_region_area_resolves_to_its_municipalities(
    engine: Engine, access_data: AccessData
) -> None:
    with engine.connect() as conn:
        user = user_for_token(conn, access_data.tokens["campo_istmo"])
        istmo = conn.scalar(
            text("SELECT count(*) FROM boundaries.municipio WHERE region = 'Istmo'")
        )
    assert user is not None and user.municipios is not None
    assert "20043" in user.municipios and "20067" not in user.municipios
    assert len(user.municipios) == istmo


def test_audit_log_is_append_only(
    engine: Engine, access_data: AccessData, client: TestClient
) -> None:
    client.get(f"/campo/registros/{access_data.juan}", headers=bearer(access_data, "planea"))
    for statement in (
        "UPDATE acceso.auditoria SET usuario = 'otro'",
        "DELETE FROM acceso.auditoria",
        "TRUNCATE acceso.auditoria",
    ):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="solo admite agregar"):
            conn.execute(text(statement))


def test_admin_queries_and_exports_the_audit_log(
    client: TestClient, access_data: AccessData
) -> None:
    record = access_data.juan
    client.get(f"/campo/registros/{record}", headers=bearer(access_data, "planea"))
    admin = bearer(access_data, "jefa")
    lines = client.get("/auditoria", params={"registro_id": record, "usuario": "planea"},
                       headers=admin).json()  # fmt: skip
    assert lines and {(x["accion"], x["cliente"]) for x in lines} == {("consultar", "testclient")}
    exported = client.get("/auditoria.csv", params={"registro_id": record}, headers=admin)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) >= len(lines) and {r["registro_id"] for r in rows} == {str(record)}
    assert list(rows[0]) == ["id", "en", "usuario", "accion", "registro_id", "carga_id",
                             "detalle", "cliente"]  # fmt: skip
    bad = client.get("/auditoria", params={"desde": "ayer"}, headers=admin)
    assert bad.status_code == 422
