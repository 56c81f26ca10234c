"""Admin control panel and the ``padron usuarios`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from cli.app import app
from geo.publish.panel import control_panel
from tests.api.acceso.conftest import AccessData, bearer
from tests.api.conftest import COVERAGE_PERIOD, MUN
from tests.conftest import DATA_DIR

runner = CliRunner()


def test_control_panel_totals(client: TestClient, access_data: AccessData) -> None:
    response = client.get("/panel/datos", headers=bearer(access_data, "jefa"))
    assert response.status_code == 200, response.text
    body = response.json()
    programs = {p["programa"]: p for p in body["por_programa"]}
    assert programs["ACCA"]["registros"] == 2 and programs["ACCA"]["importe"] == "5100.00"
    assert programs["ACCT"]["registros"] == 21
    assert body["calidad"]["por_precision"]["croquis"] >= 1
    latest = {c["programa"]: c for c in body["ultimas_cargas"]}
    assert latest["ACCT"]["filas_rechazadas"] == 0 and latest["ACCT"]["filas_cargadas"] == 21
    assert set(body) == {
        "por_programa", "duplicados", "traslape", "cobertura", "periodo", "periodos", "regiones",
        "municipios", "calidad", "calidad_por_carga", "ultimas_cargas",
    }  # fmt: skip
    page = client.get("/panel")
    assert page.status_code == 200 and "Panel de control" in page.text


def test_panel_overlap_coverage_and_batch_quality_are_exact(
    client: TestClient, engine: Engine, access_data: AccessData, cobertura: dict[str, Any]
) -> None:
    """Period 2031 holds only COBA (Ana, Beto twice) and COBB (Ana, Carmen, Dolores), all in
    Guadalupe de Ramírez (tests/api/conftest.py)."""
    with engine.connect() as conn:
        panel = control_panel(conn, COVERAGE_PERIOD, batches=10_000)
        region = conn.scalar(text("SELECT region FROM boundaries.municipio WHERE cvegeo = :m"),
                             {"m": MUN})  # fmt: skip
    overlap = panel["traslape"]
    a, b = overlap["programas"].index("COBA"), overlap["programas"].index("COBB")
    assert (overlap["personas"][a][a], overlap["personas"][b][b]) == (2, 3)
    assert overlap["personas"][a][b] == overlap["personas"][b][a] == 1
    regions = {r["region"]: r for r in panel["regiones"]}
    assert regions[region]["personas"] == 4
    assert {k: v["personas"] for k, v in regions[region]["por_programa"].items()} == {
        "COBA": 2, "COBB": 3,
    }  # fmt: skip
    assert sum(r["personas"] for r in panel["regiones"]) == 4
    municipality = next(m for m in panel["municipios"] if m["cvegeo"] == MUN)
    assert municipality["personas"] == 4
    assert municipality["cobertura"] == pytest.approx(4 / municipality["poblacion"])
    batches = {c["carga"]: c for c in panel["calidad_por_carga"]}
    coba = batches[cobertura["cargas"]["COBA"]]  # type: ignore[index]
    assert (coba["programa"], coba["periodo"], coba["registros"]) == ("COBA", "2031", 3)
    assert sum(coba["por_precision"].values()) == 3
    times = [c["terminada_en"] for c in panel["calidad_por_carga"]]
    assert times == sorted(times)

    answer = client.get("/panel/datos", params={"periodo": COVERAGE_PERIOD},
                        headers=bearer(access_data, "jefa"))  # fmt: skip
    assert answer.status_code == 200 and answer.json()["periodo"] == COVERAGE_PERIOD
    unknown = client.get("/panel/datos", params={"periodo": "1999"},
                         headers=bearer(access_data, "jefa"))  # fmt: skip
    assert unknown.status_code == 400 and "Periodo sin cobertura" in unknown.json()["detalle"]


@pytest.fixture
def env(engine: Engine, database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "PADRON_DATA_DIR": str(DATA_DIR),
            "PADRON_HOME": str(tmp_path)}  # fmt: skip


def test_bootstrap_first_admin_then_token_list_and_deactivate(
    env: dict[str, str], client: TestClient
) -> None:
    created = runner.invoke(
        app, ["usuarios", "crear", "primera", "--rol", "admin"],
        input="clave-inicial-larga\nclave-inicial-larga\n", env=env,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "Usuario primera creado con rol admin." in created.output
    issued = runner.invoke(app, ["usuarios", "token", "primera", "--minutos", "5"], env=env)
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[0]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/panel/datos", headers=headers).status_code == 200
    listed = runner.invoke(app, ["usuarios", "listar"], env=env)
    assert "primera\tadmin\tactivo\ttodo el padrón" in listed.output
    assert "campo_istmo\tcampo\tactivo\tIstmo" in listed.output
    off = runner.invoke(app, ["usuarios", "desactivar", "primera"], env=env)
    assert off.exit_code == 0 and "desactivado" in off.output
    assert client.get("/panel/datos", headers=headers).status_code == 401
    again = runner.invoke(app, ["usuarios", "token", "primera"], env=env)
    assert again.exit_code == 1 and "No existe el usuario activo" in again.output


def test_field_user_without_area_is_refused(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["usuarios", "crear", "sin_area", "--rol", "campo", "--contrasena", "x" * 12], env=env
    )
    assert result.exit_code == 1 and "municipios o regiones" in result.output
