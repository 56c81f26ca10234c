"""OGC API – Features on the hand-made data (``access_data``: ACCT holds 12 persons in Oaxaca
de Juárez, 6 in Juchitán and 3 in Santa Lucía del Camino, alone in period 2024-T3): paging,
bbox, suppression for the public and exact figures for planners, and the downloads."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from typing import Any

import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from tests.api.acceso.conftest import ACCT_PERIOD, AccessData, bearer
from tests.api.sweep import small_counts

K = 5
ACCT = {"programa": "ACCT", "periodo": ACCT_PERIOD, "limit": 1000}
OAXACA_DE_JUAREZ = "-96.76,17.03,-96.70,17.10"
"""A bbox inside Oaxaca de Juárez and Santa Lucía del Camino, far from Juchitán."""


def _items(client: TestClient, coleccion: str, headers: Any = None, **params: Any) -> Any:
    response = client.get(f"/collections/{coleccion}/items", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def _by_id(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f["properties"] for f in page["features"]}


def test_landing_page_for_ogc_clients_and_the_map_for_browsers(client: TestClient) -> None:
    for response in (
        client.get("/", params={"f": "json"}),
        client.get("/", headers={"Accept": "application/json"}),
    ):
        assert response.status_code == 200
        rels = {link["rel"]: link["href"] for link in response.json()["links"]}
        assert rels["data"].endswith("/collections")
        assert rels["conformance"].endswith("/conformance")
        assert rels["service-desc"].endswith("/openapi.json")
    browser = client.get(
        "/", headers={"Accept": "text/html,application/xhtml+xml"}, follow_redirects=False
    )
    assert browser.status_code == 307 and browser.headers["location"] == "/mapa"
    conformance = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance


def test_collections_are_listed_with_extent_and_attribution(client: TestClient) -> None:
    body = client.get("/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert {"municipios", "localidades", "distritos", "regiones", "cobertura_municipios",
            "cobertura_localidades", "brechas"} <= set(ids)  # fmt: skip
    municipios = client.get("/collections/municipios").json()
    west, south, east, north = municipios["extent"]["spatial"]["bbox"][0]
    assert -98.6 < west < east < -93.8 and 15.6 < south < north < 18.7
    assert "INEGI" in municipios["attribution"] and "CONAPO" in municipios["attribution"]
    missing = client.get("/collections/personas")
    assert missing.status_code == 404 and "municipios" in missing.json()["detalle"]


def test_paging_with_links_and_number_matched(client: TestClient) -> None:
    first = _items(client, "municipios", limit=200)
    assert (first["numberMatched"], first["numberReturned"]) == (570, 200)
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links and "offset=200" in links["next"]
    second = client.get(links["next"]).json()
    assert second["numberReturned"] == 200
    assert not set(_by_id(first)) & set(_by_id(second))
    back = {link["rel"]: link["href"] for link in second["links"]}
    assert client.get(back["prev"]).json()["features"] == first["features"]
    last = _items(client, "municipios", limit=200, offset=400)
    assert last["numberReturned"] == 170 and "next" not in {x["rel"] for x in last["links"]}
    seen = set(_by_id(first)) | set(_by_id(second)) | set(_by_id(last))
    assert len(seen) == 570
    assert _items(client, "municipios", limit=50_000)["numberReturned"] == 570  # at most 1000


def test_bbox_filters_areas_and_points(client: TestClient) -> None:
    municipios = _items(client, "municipios", bbox=OAXACA_DE_JUAREZ)
    found = _by_id(municipios)
    assert {"20067", "20390"} <= set(found) and "20043" not in found
    assert municipios["numberMatched"] == len(found) < 30
    oaxaca = found["20067"]
    assert (oaxaca["nombre"], oaxaca["distrito"], oaxaca["region"]) == (
        "Oaxaca de Juárez", "Centro", "Valles Centrales"
    )  # fmt: skip
    localidades = _items(client, "localidades", bbox=OAXACA_DE_JUAREZ, limit=1000)
    assert "200670001" in _by_id(localidades)
    for feature in localidades["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -96.76 <= lon <= -96.70 and 17.03 <= lat <= 17.10
    seat = _by_id(localidades)["200670001"]
    assert seat["pobtot"] > 200_000 and seat["gm"] and seat["fuente_marginacion"]
    region = _items(client, "regiones", bbox=OAXACA_DE_JUAREZ)
    assert "Valles Centrales" in _by_id(region)
    assert region["features"][0]["geometry"]["type"] == "MultiPolygon"
    bad = client.get("/collections/municipios/items", params={"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()["detalle"]


def test_public_coverage_is_suppressed_and_planners_see_exact(
    client: TestClient, access_data: AccessData
) -> None:
    public = _items(client, "cobertura_municipios", **ACCT)
    cells = _by_id(public)
    assert cells["20043"]["personas"] == 6 and not cells["20043"]["suprimida"]
    for hidden in ("20390", "20067"):  # 3 persons; 12 would give them away from the district
        assert cells[hidden]["suprimida"] and cells[hidden]["personas"] is None
        assert cells[hidden]["importe"] is None and cells[hidden]["cobertura"] is None
    assert list(small_counts(public, K)) == []
    districts = _by_id(_items(client, "cobertura_distritos", **ACCT))
    assert districts["Centro"]["personas"] == 15
    planner = _items(client, "cobertura_municipios", bearer(access_data, "planea"), **ACCT)
    exact = _by_id(planner)
    assert (exact["20390"]["personas"], exact["20067"]["personas"]) == (3, 12)
    assert exact["20390"]["suprimida"]  # what the public does not see
    assert any("personas = 3" in f for f in small_counts(planner, K))
    one = client.get("/collections/cobertura_municipios/items/20390", params=ACCT)
    assert one.status_code == 200 and one.json()["properties"]["personas"] is None
    one = client.get(
        "/collections/cobertura_municipios/items/20390", params=ACCT,
        headers=bearer(access_data, "jefa"),
    )  # fmt: skip
    assert one.json()["properties"]["personas"] == 3
    field = _items(client, "cobertura_municipios", bearer(access_data, "campo_oax"), **ACCT)
    assert _by_id(field)["20390"]["personas"] is None
    assert client.get("/collections/municipios/items/99999").status_code == 404


def test_gap_ranking_as_points_keeps_its_places(
    client: TestClient, access_data: AccessData
) -> None:
    ranking = _items(client, "brechas", periodo=ACCT_PERIOD, limit=1000)
    assert ranking["numberMatched"] > 10_000
    places = [f["properties"]["lugar"] for f in ranking["features"]]
    assert places == list(range(1, 1001))
    inside = _items(client, "brechas", periodo=ACCT_PERIOD, bbox=OAXACA_DE_JUAREZ, limit=1000)
    assert 0 < inside["numberMatched"] < 200
    seat = _by_id(inside)["200670001"]
    alone = client.get("/collections/brechas/items/200670001", params={"periodo": ACCT_PERIOD})
    assert alone.json()["properties"]["lugar"] == seat["lugar"]
    assert seat["suprimida"] and seat["personas"] is None
    exact = client.get(
        "/collections/brechas/items/200670001", params={"periodo": ACCT_PERIOD},
        headers=bearer(access_data, "planea"),
    ).json()  # fmt: skip
    assert exact["properties"]["personas"] == 12


def test_downloads_open_in_excel_and_carry_the_source(client: TestClient) -> None:
    response = client.get("/descargas/municipios.csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    text = response.content.decode("utf-8-sig")
    rows = {r["clave"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(rows) == 570 and rows["20067"]["nombre"] == "Oaxaca de Juárez"
    assert all("INEGI" in r["fuente"] and "CONAPO" in r["fuente"] for r in rows.values())
    coverage = client.get("/cobertura", params={"formato": "csv", **ACCT}).content
    assert coverage.startswith(b"\xef\xbb\xbf") and b"fuente" in coverage.split(b"\n")[0]
    legacy = client.get("/transparencia/descarga.csv", params=ACCT).content
    assert legacy.startswith(b"\xef\xbb\xbf")
    geo = json.loads(client.get("/descargas/brechas.geojson", params={"periodo": ACCT_PERIOD}).text)
    assert len(geo["features"]) > 10_000
    assert "INEGI" in geo["features"][0]["properties"]["fuente"]


def test_geopackage_of_municipalities_has_no_slivers(
    client: TestClient, tmp_path: Any, access_data: AccessData
) -> None:
    """Neighbours share their edges in the export: no overlap and no gap between them."""
    for url, params in (
        ("/descargas/municipios.gpkg", {}),
        ("/descargas/cobertura_municipios.gpkg", ACCT),
        ("/transparencia/descarga.gpkg", {**ACCT, "nivel": "municipio"}),
    ):
        response = client.get(url, params=params)
        assert response.status_code == 200, url
        path = tmp_path / "export.gpkg"
        path.write_bytes(response.content)
        frame = pyogrio.read_dataframe(path)
        polygons = frame[frame.geometry.notna()]
        assert len(polygons) == 570, url
        union = shapely.union_all(polygons.geometry.values)
        overlap = polygons.geometry.area.sum() - union.area
        assert abs(overlap) < 1e-9, f"{url}: overlaps of {overlap} deg²"
        holes = [ring for part in getattr(union, "geoms", [union]) for ring in part.interiors]
        assert holes == [], f"{url}: {len(holes)} gaps between neighbours"
        oaxaca = shape(polygons[polygons["clave"] == "20067"].geometry.iloc[0])
        santa_lucia = shape(polygons[polygons["clave"] == "20390"].geometry.iloc[0])
        assert oaxaca.intersection(santa_lucia).length > 0.01  # a shared edge, not a point
        assert "fuente" in frame.columns
        with sqlite3.connect(path) as db:
            (description,) = db.execute("SELECT description FROM gpkg_contents").fetchone()
        assert "INEGI" in description and "CONAPO" in description


@pytest.mark.parametrize("bbox", ["-200,0,0,10", "a,b,c,d", "10,10,0,0"])
def test_bad_bbox_is_a_spanish_400(client: TestClient, bbox: str) -> None:
    response = client.get("/collections/localidades/items", params={"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()["detalle"]
