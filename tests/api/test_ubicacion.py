"""Field check of a point through the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.models.ubicacion import Verificacion
from geo.geocode.verify import verify_point

POINTS = [
    (-96.7255, 17.06, "200670001", 5),
    (-96.7255, 17.06, "20043", 5),
    (-95.0203, 16.4347, "200670001", 12),
    (-95.0203, 16.4347, None, 1),
    (96.7255, 17.06, "20067", 5),
    (17.06, -96.7255, None, 5),
    (-99.1332, 19.4326, "200670001", 5),
    (0, 0, "20067", 5),
    (200, 17, "209999999", 5),
]
"""Every branch of the verdict: agreement, each flag, no lookup at all, coordinates out of range."""


def test_point_in_the_city_agrees_with_its_locality(client: TestClient) -> None:
    body = client.get(
        "/ubicacion/verificar", params={"lon": -96.7255, "lat": 17.06, "cvegeo": "200670001"}
    ).json()
    assert body["municipio"] == {"cvegeo": "20067", "nombre": "Oaxaca de Juárez"}
    assert body["localidad_poligono"] == "200670001"
    assert body["cercanas"][0]["cvegeo"] == "200670001" and body["cercanas"][0]["distancia_m"] < 20
    assert [c["distancia_m"] for c in body["cercanas"]] == sorted(
        c["distancia_m"] for c in body["cercanas"]
    )
    assert body["declarada"]["coincide"] is True and body["banderas"] == []


@pytest.mark.parametrize(("lon", "lat", "cvegeo", "cercanas"), POINTS)
def test_the_api_answers_what_the_library_does(
    client: TestClient, conn: Connection, lon: float, lat: float, cvegeo: str | None, cercanas: int
) -> None:
    """The route runs the library's statement on the asynchronous pool; the library's own call
    runs it on a connection. Both must give one verdict."""
    params = {"lon": lon, "lat": lat, "cercanas": cercanas} | ({"cvegeo": cvegeo} if cvegeo else {})
    response = client.get("/ubicacion/verificar", params=params)
    assert response.status_code == 200
    found = verify_point(conn, lon, lat, cvegeo, cercanas)
    assert response.json() == Verificacion.model_validate(found).model_dump(mode="json")


@pytest.mark.parametrize(
    ("params", "flags"),
    [
        ({"lon": 96.7255, "lat": 17.06}, ["coord_fuera_de_oaxaca", "coord_signo_probable"]),
        ({"lon": 17.06, "lat": -96.7255}, ["coord_fuera_de_rango", "coord_invertida_probable"]),
        ({"lon": 0, "lat": 0}, ["coord_cero"]),
        ({"lon": -99.1332, "lat": 19.4326}, ["coord_fuera_de_oaxaca"]),
        ({"lon": -96.7255, "lat": 17.06, "cvegeo": "20043"}, ["coord_fuera_de_municipio"]),
        ({"lon": -95.0203, "lat": 16.4347, "cvegeo": "200670001"}, ["coord_lejos_de_localidad"]),
    ],
)
def test_flags(client: TestClient, params: dict[str, object], flags: list[str]) -> None:
    response = client.get("/ubicacion/verificar", params=params)
    assert response.status_code == 200
    assert response.json()["banderas"] == flags


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lon": "oeste", "lat": 17}, "Parámetros no válidos"),
        ({"lat": 17}, "Parámetros no válidos"),
        ({"lon": "nan", "lat": 17}, "finitos"),
        ({"lon": -96.7, "lat": 17, "cvegeo": "20"}, "Clave no válida"),
        ({"lon": -96.7, "lat": 17, "cvegeo": "209999999"}, "No existe la localidad"),
        ({"lon": -96.7, "lat": 17, "cercanas": 100}, "Parámetros no válidos"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    client: TestClient, params: dict[str, object], message: str
) -> None:
    response = client.get("/ubicacion/verificar", params=params)
    assert 400 <= response.status_code < 500
    assert message in response.json()["detalle"]
