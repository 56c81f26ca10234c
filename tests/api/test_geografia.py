"""Health, municipalities, localities and tiles through HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.contract import ContractClient
from tests.conftest import fresh_database


def test_health_reports_database_and_reference_data(client: TestClient) -> None:
    body = client.get("/salud").json()
    assert body["estado"] == "ok"
    assert body["postgis"].startswith("3.")
    assert (body["municipios"], body["localidades"]) == (570, 10_723)


def test_health_is_degraded_without_the_schema(settings: Settings) -> None:
    with (
        fresh_database() as url,
        ContractClient(create_app(settings.model_copy(update={"database_url": url}))) as empty,
    ):
        response = empty.get("/salud")
    assert response.status_code == 503
    assert response.json() == {
        "estado": "degradado", "base_de_datos": "sin conexión o sin esquema", "postgis": None,
        "municipios": None, "localidades": None,
    }  # fmt: skip


def test_municipios_filter_by_grade_and_paginate(client: TestClient) -> None:
    first = client.get("/municipios", params={"grado": "Muy alto", "limite": 50}).json()
    assert first["total"] == 92
    assert len(first["elementos"]) == 50
    assert all(m["gm"] == "Muy alto" and m["anio_marginacion"] == 2020 for m in first["elementos"])
    second = client.get(first["siguiente"]).json()
    assert len(second["elementos"]) == 42 and second["siguiente"] is None
    keys = {m["cvegeo"] for m in first["elementos"]} | {m["cvegeo"] for m in second["elementos"]}
    assert len(keys) == 92


def test_municipio_by_key_with_region_and_district(client: TestClient) -> None:
    body = client.get("/municipios", params={"cvegeo": "20067"}).json()
    (oaxaca,) = body["elementos"]
    assert oaxaca["nom_mun"] == "Oaxaca de Juárez"
    assert (oaxaca["distrito"], oaxaca["region"]) == ("Centro", "Valles Centrales")


def test_municipios_as_geojson(client: TestClient) -> None:
    response = client.get(
        "/municipios", params={"formato": "geojson", "region": "Istmo", "limite": 100}
    )
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["numberMatched"] == 41
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert "geometry" not in body["features"][0]["properties"]


def test_localidades_filters(client: TestClient) -> None:
    body = client.get(
        "/localidades", params={"municipio": "20067", "poblacion_min": 1000, "limite": 10}
    ).json()
    assert body["total"] >= 1
    assert all(x["cvegeo_mun"] == "20067" and x["pobtot"] >= 1000 for x in body["elementos"])
    urban = client.get("/localidades", params={"fuente": "IMU", "limite": 1}).json()
    assert urban["total"] == 610
    graded = client.get("/localidades", params={"grado": "alto,muy alto", "limite": 5}).json()
    assert all(x["gm"] in {"Alto", "Muy alto"} for x in graded["elementos"])


def test_localidades_geojson_points(client: TestClient) -> None:
    body = client.get(
        "/localidades", params={"formato": "geojson", "poblacion_min": 100_000}
    ).json()
    assert [f["id"] for f in body["features"]] == ["200670001", "201840001"]
    assert body["features"][0]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/municipios", {"grado": "altísimo"}, "Grado de marginación desconocido"),
        ("/municipios", {"cvegeo": "67"}, "Clave de municipio no válida"),
        ("/municipios", {"limite": 0}, "Parámetros no válidos"),
        ("/municipios", {"limite": 5000}, "Parámetros no válidos"),
        ("/municipios", {"simplificar": -1}, "Parámetros no válidos"),
        ("/municipios", {"formato": "kml"}, "Parámetros no válidos"),
        ("/localidades", {"municipio": "2006'7; DROP TABLE x"}, "Clave de municipio no válida"),
        ("/localidades", {"poblacion_min": "mucha"}, "Parámetros no válidos"),
        ("/localidades", {"fuente": "XYZ"}, "Fuente desconocida"),
        ("/localidades", {"desplazamiento": -5}, "Parámetros no válidos"),
        ("/teselas/inexistente/1/0/0.pbf", {}, "Capa desconocida"),
        ("/teselas/municipios/3/9/1.pbf", {}, "Tesela fuera de rango"),
        ("/teselas/municipios/30/0/0.pbf", {}, "Parámetros no válidos"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, path: str, params: dict[str, object], message: str
) -> None:
    response = client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert message in response.json()["detalle"]


def test_tiles_are_mvt_and_empty_tiles_204(client: TestClient) -> None:
    response = client.get("/teselas/municipios/6/14/28.pbf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert b"municipios" in response.content and b"nom_mun" in response.content
    locality_tile = client.get("/teselas/localidades/8/59/115.pbf")
    assert locality_tile.status_code == 200 and b"pobtot" in locality_tile.content
    assert client.get("/teselas/municipios/6/0/0.pbf").status_code == 204


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/salud", "/municipios", "/localidades"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/reglas/violaciones?periodo=20%0024", "periodo"),
        ("/municipios?region=Costa%01", "region"),
        ("/cobertura?pro%00grama=A", "pro?grama"),
    ],
)
def test_control_characters_are_refused_before_reaching_the_database(
    client: TestClient, url: str, field: str
) -> None:
    """PostgreSQL refuses NUL in text: found by the fuzzer as a 503 on /reglas/violaciones."""
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {"detalle": f"El campo «{field}» contiene caracteres de control."}
