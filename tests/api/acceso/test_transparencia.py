"""Public transparency on hand-made data: the publication's rows, exact figures for planners and
admins on the same URLs, and downloads (see the ``access_data`` fixture: ACCT holds 12 persons in
Oaxaca de Juárez, 6 in Juchitán and 3 in Santa Lucía del Camino, alone in period 2024-T3)."""

from __future__ import annotations

import csv
import io
import json

import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.api.acceso.conftest import ACCT_PERIOD, AccessData, bearer

K = 5


def _rows(client: TestClient, **params: str) -> dict[tuple[str, str | None], dict]:
    response = client.get("/transparencia/conteos", params=params)
    assert response.status_code == 200, response.text
    return {(r["nivel"], r["clave"]): r for r in response.json()["filas"]}


def test_published_counts_with_suppression(client: TestClient, access_data: AccessData) -> None:
    body = client.get(
        "/transparencia/conteos", params={"programa": "ACCT", "periodo": ACCT_PERIOD}
    ).json()
    assert body["k"] == K and body["exactas"] is False
    rows = {(r["nivel"], r["clave"]): r for r in body["filas"]}
    assert rows[("estado", "20")]["personas"] == 21
    assert rows[("distrito", "Centro")]["personas"] == 15  # Oaxaca de Juárez and Santa Lucía
    assert rows[("municipio", "20043")]["personas"] == 6
    for key in (("municipio", "20390"), ("localidad", "203900001")):  # 3 persons
        assert rows[key]["suprimida"] and rows[key]["personas"] is None
        assert rows[key]["importe"] is None and rows[key]["cobertura_pct"] is None
    # Oaxaca de Juárez's 12 is hidden too: 15 - 12 would give Santa Lucía's 3.
    assert rows[("municipio", "20067")]["personas"] is None
    assert all(r["personas"] is None or r["personas"] == 0 or r["personas"] >= K
               for r in body["filas"])  # fmt: skip
    juchitan = rows[("municipio", "20043")]
    assert juchitan["cobertura_pct"] == round(100 * 6 / juchitan["poblacion"], 2)
    assert rows[("localidad", "200430001")]["grado_marginacion"] is not None


def test_all_programs_count_each_person_once(client: TestClient, access_data: AccessData) -> None:
    planner = client.get(
        "/transparencia/conteos",
        params={"periodo": "2024-T2", "nivel": "estado"},
        headers=bearer(access_data, "planea"),
    ).json()
    assert planner["exactas"] is True
    state = {r["programa"]: r["personas"] for r in planner["filas"]}
    assert state == {"ACCA": 2, "ACCB": 1, "*": 2}  # María in both, Juan in ACCA
    public = _rows(client, periodo="2024-T2", nivel="estado", programa="*")
    assert public[("estado", "20")]["personas"] is None


def test_planners_and_admins_see_exact_figures_on_the_same_urls(
    client: TestClient, access_data: AccessData
) -> None:
    exact = client.get(
        "/transparencia/conteos",
        params={"programa": "ACCT", "periodo": ACCT_PERIOD},
        headers=bearer(access_data, "jefa"),
    ).json()
    assert exact["exactas"] is True
    rows = {(r["nivel"], r["clave"]): r for r in exact["filas"]}
    assert rows[("municipio", "20390")]["personas"] == 3
    assert rows[("municipio", "20390")]["suprimida"]  # what the public does not see
    field = client.get(
        "/transparencia/conteos", params={"programa": "ACCT"},
        headers=bearer(access_data, "campo_oax"),
    ).json()  # fmt: skip
    assert all(r["personas"] is None or r["personas"] == 0 or r["personas"] >= K
               for r in field["filas"])  # fmt: skip
    assert field["exactas"] is False
    denied = client.get("/transparencia/conteos", headers={"Authorization": "Bearer nada"})
    assert denied.status_code == 401


def test_downloads_csv_geojson_geopackage(client: TestClient, access_data: AccessData) -> None:
    params = {"programa": "ACCT", "nivel": "localidad", "periodo": ACCT_PERIOD}
    as_csv = client.get("/transparencia/descarga.csv", params=params)
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    rows = {r["clave"]: r for r in csv.DictReader(io.StringIO(as_csv.text))}
    assert {"200670001", "200430001", "203900001"} <= set(rows)
    assert (rows["200430001"]["personas"], rows["200430001"]["suprimida"]) == ("6", "False")
    assert (rows["203900001"]["personas"], rows["203900001"]["suprimida"]) == ("", "True")
    as_geojson = client.get("/transparencia/descarga.geojson", params=params)
    features = json.loads(as_geojson.text)["features"]
    assert {f["geometry"]["type"] for f in features if f["geometry"]} == {"Point"}
    as_gpkg = client.get("/transparencia/descarga.gpkg", params=params)
    assert as_gpkg.status_code == 200 and as_gpkg.content[:16] == b"SQLite format 3\x00"
    frame = pyogrio.read_dataframe(io.BytesIO(as_gpkg.content))
    assert {"200430001", "203900001"} <= set(frame["clave"])
    assert frame.loc[frame["clave"] == "203900001", "personas"].isna().all()
    assert client.get("/transparencia/descarga.xlsx").status_code == 422


def test_transparency_page_is_public_and_spanish(client: TestClient) -> None:
    page = client.get("/transparencia")
    assert page.status_code == 200 and "se suprimen" in page.text and "5" in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"programa": "' OR 1=1 --"},
        {"periodo": "2024'; DROP TABLE padron.registro; --"},
        {"cvegeo_mun": "20067' OR '1'='1"},
        {"nivel": "persona"},
    ],
)
def test_injection_in_filters_is_harmless(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/transparencia/conteos", params=params)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["filas"] == []
