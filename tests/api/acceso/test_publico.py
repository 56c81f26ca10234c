"""Every public endpoint, swept: no CURP, no roster name, no point finer than its locality.

"Public" is read from the OpenAPI schema (operations without a security requirement, the pages
included), so a new public route is swept without editing this test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from tests.api.acceso.conftest import AccessData
from tests.api.contract import ContractClient
from tests.api.sweep import public_requests, small_counts, sweep_figures

CURP_SHAPE = re.compile(rb"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")
EXTRA_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/transparencia/conteos": [
        {"nivel": n, "programa": p}
        for n in ("estado", "municipio", "localidad")
        for p in ("ACCA", "ACCB", "ACCT")
    ],
    "/transparencia/descarga.{formato}": [{"nivel": "localidad"}, {"nivel": "municipio"}],
    "/localidades": [{"municipio": "20067"}, {"municipio": "20043", "formato": "geojson"}],
}
K = 5
PLACES = [(-96.7255, 17.06), (-95.0203, 16.4347), (-96.7, 17.07), (-98.185, 17.757),
          (-97.63, 18.02)]  # fmt: skip
"""Oaxaca de Juárez, Juchitán, Santa Lucía, Guadalupe de Ramírez, Asunción Cuyotepeji: where
the hand-made rosters live (the coverage tiles around them are read)."""


def _pairs(value: Any) -> Iterator[tuple[float, float]]:
    """Every coordinate pair in a JSON document: [lon, lat] lists and {lon, lat} objects."""
    if isinstance(value, dict):
        if isinstance(value.get("lon"), float) and isinstance(value.get("lat"), float):
            yield value["lon"], value["lat"]
        for item in value.values():
            yield from _pairs(item)
    elif isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, float) for v in value):
            yield value[0], value[1]
        else:
            for item in value:
                yield from _pairs(item)


def _points(value: Any) -> Iterator[tuple[str | None, tuple[float, float]]]:
    """GeoJSON Point features with the key of the place they describe."""
    if isinstance(value, dict):
        if value.get("type") == "Feature" and (value.get("geometry") or {}).get("type") == "Point":
            props = value.get("properties") or {}
            key = props.get("clave") or props.get("cvegeo")
            yield key, tuple(value["geometry"]["coordinates"][:2])  # type: ignore[misc]
        for item in value.values():
            yield from _points(item)
    elif isinstance(value, list):
        for item in value:
            yield from _points(item)


@pytest.fixture(scope="module")
def public_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with ContractClient(create_app(settings)) as client:
        yield client


def test_no_public_response_holds_personal_data(
    public_client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    client = public_client
    client.post(
        f"/campo/registros/{access_data.maria_a}/punto",
        json={"lon": -96.72431, "lat": 17.06127, "precision_m": 8},
        headers={"Authorization": f"Bearer {access_data.tokens['jefa']}"},
    )
    with engine.connect() as conn:
        exact = {
            (round(lon, 5), round(lat, 5))
            for lon, lat in conn.execute(
                text(
                    "SELECT ST_X(geom), ST_Y(geom) FROM padron.ubicacion "
                    "WHERE precision IN ('croquis', 'croquis_corregido', 'verificado_campo', "
                    "'campo_impreciso')"
                )
            )
        } | {(round(lon, 5), round(lat, 5)) for lon, lat in access_data.exact_points}
        localities = {
            key: (lon, lat)
            for key, lon, lat in conn.execute(
                text("SELECT cvegeo, ST_X(geom), ST_Y(geom) FROM boundaries.localidad")
            )
        }
    names = [n.encode() for n in access_data.roster_names if len(n) > 3]
    with engine.connect() as conn:
        place_names = " ".join(
            conn.scalars(
                text(
                    "SELECT nom_loc FROM boundaries.localidad UNION ALL "
                    "SELECT nom_mun FROM boundaries.municipio"
                )
            )
        ).encode()
    names = [n for n in names if n not in place_names]
    assert len(names) >= 10 and b"Yescas" in names  # names that are also places cannot be told
    urls = public_requests(client.app.openapi(), EXTRA_QUERIES)  # type: ignore[attr-defined]
    assert any("descarga.gpkg" in u for u in urls) and any("/teselas/" in u for u in urls)
    swept = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        swept += 1
        body = response.content
        assert not CURP_SHAPE.search(body), url
        assert not [n for n in names if n in body], url
        if "json" not in response.headers.get("content-type", ""):
            continue
        document = json.loads(body)
        for lon, lat in _pairs(document):
            assert (round(lon, 5), round(lat, 5)) not in exact, url
        for key, point in _points(document):
            assert key in localities and point == pytest.approx(localities[key], abs=1e-6), url
    assert swept >= 30


def test_no_public_figure_is_a_small_count(
    public_client: TestClient, access_data: AccessData, cobertura: dict, engine: Engine
) -> None:
    """Every table at every level, program and period of the hand-made rosters (and the
    coverage tiles around them): no count of 1 to k-1 and no amount or ratio of a hidden count.
    """
    found, read = sweep_figures(public_client, engine, K, PLACES)
    assert found == []
    assert read > 200


def test_the_sweep_sees_a_small_count(public_client: TestClient, access_data: AccessData) -> None:
    """The check itself: exact figures (a planner's) are full of them."""
    exact = public_client.get(
        "/transparencia/conteos", params={"programa": "ACCT", "nivel": "municipio"},
        headers={"Authorization": f"Bearer {access_data.tokens['planea']}"},
    ).json()  # fmt: skip
    assert any("personas = 3" in f for f in small_counts(exact, K))


def test_public_routes_are_rate_limited(engine: Engine, settings: Settings) -> None:
    limited = settings.model_copy(update={"public_requests_per_minute": 3})
    with ContractClient(create_app(limited)) as client:
        answers = [client.get("/transparencia/anomalias") for _ in range(4)]
        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert answers[3].status_code in (200, 429)
        if answers[3].status_code == 200:  # the minute turned between requests: try once more
            answers = [client.get("/transparencia/anomalias") for _ in range(4)]
        refused = answers[3]
        assert refused.status_code == 429
        assert "Demasiadas solicitudes" in refused.json()["detalle"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.get("/municipios?limite=1").status_code == 429
        assert client.get("/salud").status_code == 200
