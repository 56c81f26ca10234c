"""Vector tiles as a standard source: complete tiles, TileJSON 3.0, versions, gzip and ETags."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from api.app import create_app
from api.settings import Settings
from geo.publish.tiles import CELL, LAYERS, MAX_POINTS, EncodedTile, TileCache, tile
from tests.api.conftest import L1, coverage_row
from tests.api.contract import ContractClient

OAXACA_Z5 = (5, 7, 14)
"""The zoom-5 tile that holds every locality of Oaxaca."""

CENTRO_Z6 = (6, 14, 28)
"""A zoom-6 tile over the Valles Centrales, the Sierra and the coast."""


def features(body: bytes, layer: str) -> list[dict[str, Any]]:
    decoded = mapbox_vector_tile.decode(body)
    assert set(decoded) <= {layer}
    return list(decoded.get(layer, {}).get("features", []))


def in_tile(conn: Connection, z: int, x: int, y: int) -> int:
    """Localities whose point lies in the tile."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM boundaries.localidad "
                "WHERE ST_Transform(geom, 3857) && ST_TileEnvelope(:z, :x, :y)"
            ),
            {"z": z, "x": x, "y": y},
        ).scalar_one()
    )


# -- complete tiles --------------------------------------------------------------------------


def test_a_dense_tile_carries_aggregates_that_account_for_every_locality(conn: Connection) -> None:
    total = in_tile(conn, *OAXACA_Z5)
    assert total == 10_723 > MAX_POINTS
    aggregated = features(tile(conn, "localidades", *OAXACA_Z5), "localidades")
    assert sum(f["properties"]["n"] for f in aggregated) == total
    assert len(aggregated) <= (4096 // CELL + 1) ** 2 < total
    assert sum(f["properties"]["pobtot"] for f in aggregated) == 4_132_148
    single = [f["properties"] for f in aggregated if f["properties"]["n"] == 1]
    assert single and all(p["cvegeo"] and p["nom_loc"] for p in single)
    groups = [f["properties"] for f in aggregated if f["properties"]["n"] > 1]
    assert groups and not any("cvegeo" in p for p in groups)
    # The same tile without aggregation: every locality, one by one.
    every = features(tile(conn, "localidades", *OAXACA_Z5, max_points=20_000), "localidades")
    assert len(every) == total and {f["properties"]["n"] for f in every} == {1}


def test_a_sparse_tile_carries_every_locality_by_itself(conn: Connection) -> None:
    z, x, y = 10, 236, 462  # Oaxaca de Juárez and its neighbours
    found = features(tile(conn, "localidades", z, x, y), "localidades")
    assert len(found) == in_tile(conn, z, x, y) > 100
    assert {f["properties"]["n"] for f in found} == {1}
    assert "200670001" in {f["properties"]["cvegeo"] for f in found}


def test_coverage_tiles_show_the_published_figures(demo_engine: Engine) -> None:
    """On the demo's data: the dense tile accounts for every locality; in a sparse tile over the
    Valles Centrales each locality carries its published count (none where it is suppressed)."""
    published = text(
        "SELECT clave, personas FROM publico.cifra WHERE periodo = '2016' "
        "AND nivel = 'localidad' AND programa = '*'"
    )
    with demo_engine.connect() as conn:
        dense = tile(conn, "cobertura_localidades", *OAXACA_Z5, periodo="2016")
        assert sum(f["properties"]["n"] for f in features(dense, "cobertura_localidades")) == 10_723
        figures: dict[str, int] = dict(conn.execute(published).all())
        sparse = features(
            tile(conn, "cobertura_localidades", 9, 118, 229, periodo="2016"),
            "cobertura_localidades",
        )
    assert len(sparse) > 100 and all(f["properties"]["n"] == 1 for f in sparse)
    shown = {f["properties"]["cvegeo"]: f["properties"].get("personas") for f in sparse}
    assert shown == {key: figures.get(key, 0) for key in shown}
    assert sum(1 for p in shown.values() if p is not None and p >= 5) > 10


def shared_buffers(conn: Connection, layer: str, z: int, x: int, y: int) -> int:
    """Shared buffers one tile's statement touches under a generic plan, the plan a pooled
    connection settles on after a few tiles (read from auto_explain's plan of it)."""
    plans: list[str] = []
    driver = conn.connection.dbapi_connection
    assert isinstance(driver, psycopg.Connection)

    def keep(notice: psycopg.errors.Diagnostic) -> None:
        plans.append(notice.message_primary or "")

    conn.execute(text("LOAD 'auto_explain'"))
    for setting in (
        "plan_cache_mode = force_generic_plan",
        "auto_explain.log_min_duration = 0",
        "auto_explain.log_analyze = on",
        "auto_explain.log_buffers = on",
        "auto_explain.log_format = json",
        "client_min_messages = log",
    ):
        conn.execute(text(f"SET LOCAL {setting}"))
    driver.add_notice_handler(keep)
    try:
        tile(conn, layer, z, x, y, periodo="2016")
        # The plan arrives when the statement's portal closes: with the next statement.
        conn.execute(text("SET LOCAL client_min_messages = notice"))
    finally:
        driver.remove_notice_handler(keep)
    plan = json.loads(plans[-1].split("plan:", 1)[1])["Plan"]
    return int(plan["Shared Hit Blocks"]) + int(plan["Shared Read Blocks"])


def test_coverage_tiles_read_the_figures_once_under_a_generic_plan(demo_engine: Engine) -> None:
    """The figures of a tile's municipalities are looked up once, not once per municipality
    (a generic plan rescanned them per row: 4 million buffers, a second, for a zoom-6 tile)."""
    with demo_engine.connect() as conn, conn.begin():
        built = tile(conn, "cobertura_municipios", *CENTRO_Z6)
        shown = len(features(built, "cobertura_municipios"))
        touched = shared_buffers(conn, "cobertura_municipios", *CENTRO_Z6)
    assert shown > 300 and touched < 100 * shown


def test_a_municipal_tile_drops_no_municipality(conn: Connection) -> None:
    found = features(tile(conn, "municipios", *CENTRO_Z6), "municipios")
    keys = [f["properties"]["cvegeo"] for f in found]
    assert len(keys) == len(set(keys))
    # Every municipality covering more than a few tile units of the tile is in it.
    expected = conn.execute(
        text(
            "SELECT cvegeo FROM boundaries.municipio WHERE ST_Area(ST_Intersection("
            "ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y))) > 16 * 153.0 ^ 2"
        ),
        dict(zip("zxy", CENTRO_Z6, strict=True)),
    ).scalars()
    assert set(expected) <= set(keys)
    assert len(keys) > 300


def test_locality_polygons_layer(conn: Connection) -> None:
    found = features(tile(conn, "localidades_poligonos", 14, 3789, 7403), "localidades_poligonos")
    oaxaca = [f for f in found if f["properties"]["cvegeo"] == "200670001"]
    assert oaxaca and oaxaca[0]["properties"]["ambito"] == "URBANO"
    assert oaxaca[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert tile(conn, "localidades_poligonos", 7, 29, 57) == b""  # below its minimum zoom


def test_the_cache_holds_one_version() -> None:
    cache = TileCache(max_bytes=10_000)
    small = EncodedTile.of(b"x" * 100)
    cache.put("v1", ("a",), small)
    assert cache.get("v1", ("a",)) is small and cache.get("v2", ("a",)) is None
    cache.put("v2", ("b",), small)
    assert len(cache) == 1 and cache.get("v2", ("a",)) is None  # the old version is gone
    for i in range(200):
        cache.put("v2", (i,), EncodedTile.of(bytes(range(256)) * 2))
    assert cache._size <= 10_000 and cache.get("v2", (199,)) is not None  # LRU within bytes


# -- HTTP: TileJSON, versions, compression, validators -------------------------------------------

MVT = "application/vnd.mapbox-vector-tile"


def test_tilejson_documents_follow_the_3_0_spec(client: TestClient) -> None:
    for name, layer in LAYERS.items():
        response = client.get(f"/teselas/{name}.json")
        assert response.status_code == 200, response.text
        doc = response.json()
        assert doc["tilejson"] == "3.0.0"
        (template,) = doc["tiles"]
        assert template.startswith("http") and "/{z}/{x}/{y}.pbf?v=" in template
        (vector_layer,) = doc["vector_layers"]
        assert vector_layer["id"] == name and vector_layer["fields"] == layer.fields
        assert all(isinstance(v, str) for v in vector_layer["fields"].values())
        assert doc["minzoom"] == layer.min_zoom <= doc["maxzoom"] == 14
        west, south, east, north = doc["bounds"]
        assert -98.7 < west < -98.4 and 15.6 < south < 15.7 and -93.9 < east < -93.8 < north
        assert west < doc["center"][0] < east and south < doc["center"][1] < north
        assert "Fuente: INEGI" in doc["attribution"]
    coverage = client.get(
        "/teselas/cobertura_municipios.json", params={"periodo": "2031", "programa": ["COBA"]}
    ).json()
    assert coverage["tiles"][0].endswith("&periodo=2031&programa=COBA")
    assert client.get("/teselas/inexistente.json").status_code == 400


def test_versioned_tiles_are_immutable_others_revalidate(client: TestClient) -> None:
    template = client.get("/teselas/municipios.json").json()["tiles"][0]
    version = template.rsplit("?v=", 1)[1]
    path = "/teselas/municipios/{}/{}/{}.pbf".format(*CENTRO_Z6)
    current = client.get(path, params={"v": version})
    assert current.status_code == 200 and current.headers["content-type"] == MVT
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert current.headers["etag"] == f'W/"{version}"'
    assert current.headers["access-control-allow-origin"] == "*"
    for stale in ({}, {"v": "0123456789abcdef"}):
        response = client.get(path, params=stale)
        assert response.headers["cache-control"] == "public, no-cache"
        assert response.content == current.content


def test_gzip_when_the_client_accepts_it(client: TestClient) -> None:
    path = "/teselas/localidades/10/236/462.pbf"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    compressed = client.get(path, headers={"Accept-Encoding": "br;q=1.0, gzip;q=0.8"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.content == plain.content  # decoded by the client
    assert int(compressed.headers["content-length"]) < len(plain.content) / 2
    refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_a_small_tile_travels_lean(client: TestClient) -> None:
    """A high-zoom tile of a few points: sent as built when gzip would not make it smaller, and
    without the headers that only govern documents (they outweighed the tile)."""
    response = client.get(
        "/teselas/localidades/14/3789/7403.pbf", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert 0 < len(response.content) <= len(gzip.compress(response.content, mtime=0))
    assert features(response.content, "localidades")
    assert response.headers["x-content-type-options"] == "nosniff"
    for document_only in ("content-security-policy", "x-frame-options", "referrer-policy"):
        assert document_only not in response.headers
    page = client.get("/teselas/localidades.json").headers
    assert "content-security-policy" in page and "x-frame-options" in page


def test_etag_gives_304_without_a_body(client: TestClient, cobertura: dict[str, object]) -> None:
    path = "/teselas/cobertura_municipios/8/58/115.pbf"
    first = client.get(path, params={"periodo": "2031"})
    assert first.status_code == 200
    again = client.get(
        path, params={"periodo": "2031"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = client.get(path, params={"periodo": "2031"}, headers={"If-None-Match": 'W/"otra"'})
    assert other.status_code == 200


def test_empty_tiles_are_204(client: TestClient) -> None:
    assert client.get("/teselas/municipios/6/0/0.pbf").status_code == 204
    assert client.get("/teselas/localidades/4/3/7.pbf").status_code == 204  # below min zoom


def test_map_style_points_at_the_tilejson_documents(client: TestClient) -> None:
    style = client.get("/mapa/estilo.json").json()
    assert style["version"] == 8
    urls = {s["url"] for s in style["sources"].values() if s["type"] == "vector"}
    assert {u.rsplit("/", 1)[1] for u in urls} == {f"{name}.json" for name in LAYERS}
    used = {layer["source"] for layer in style["layers"] if "source" in layer}
    assert used == set(style["sources"])
    assert [g for g, _ in style["metadata"]["padron:grados"]][-1] == "Muy alto"


# -- a refresh changes the version, and the cached tiles with it -----------------------------

PERIOD = "2001"
"""A period of its own, older than every other test's, so it is never the newest."""


@pytest.fixture(scope="module")
def fresh_client(settings: Settings) -> Iterator[TestClient]:
    """An app that reads the data version on every request."""
    configured = settings.model_copy(update={"tile_version_seconds": 0})
    with ContractClient(create_app(configured)) as test_client:
        yield test_client


def test_a_refresh_changes_the_version_and_the_cached_tiles(
    fresh_client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    import datetime as dt

    from geo.geocode import geocode
    from geo.ingest import ingest_file
    from geo.kernel import curp
    from geo.pipeline import refresh_and_publish
    from geo.resolve import resolve
    from tests.ingest.builders import roster_writer

    path = "/teselas/cobertura_localidades/{}/{}/{}.pbf".format(*OAXACA_Z5)
    params = {"periodo": PERIOD, "programa": "TESELA"}
    before = fresh_client.get(path, params=params)
    tilejson = fresh_client.get("/teselas/cobertura_localidades.json").json()
    assert (
        sum(
            f["properties"].get("personas", 0)
            for f in features(before.content, "cobertura_localidades")
        )
        == 0
    )
    assert fresh_client.get(path, params=params).content == before.content  # from the cache

    rows = []  # five women in one locality: a count the publication shows (k = 5)
    for i, name in enumerate(["Elena", "Fabiola", "Gilberta", "Herminia", "Irma"]):
        born = dt.date(1961, 5, 4 + i)
        key = curp.build("Zárate", "Luna", name, born, "M", "20")
        person = {"NB_PRIMER_AP": "Zárate", "NB_SEGUNDO_AP": "Luna", "NB_NOMBRE": name,
                  "FH_NACIMIENTO": born.isoformat(), "CD_SEXO": "M"}  # fmt: skip
        rows.append(coverage_row(f"T{i}", L1, key, PERIODO=PERIOD, **person))
    batch = ingest_file(engine, roster_writer(tmp_path)(rows), "TESELA", periodo=PERIOD)
    geocode(engine, batch.carga_id)
    resolve(engine)
    refresh_and_publish(engine)

    after = fresh_client.get(path, params=params, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert (
        sum(
            f["properties"].get("personas", 0)
            for f in features(after.content, "cobertura_localidades")
        )
        == 5
    )
    assert (
        fresh_client.get("/teselas/cobertura_localidades.json").json()["tiles"] != tilejson["tiles"]
    )


def test_gzip_bytes_are_stable() -> None:
    raw = b"\x1a\x02" * 500
    assert EncodedTile.of(raw).gzipped == EncodedTile.of(raw).gzipped
    assert gzip.decompress(EncodedTile.of(raw).gzipped) == raw
    assert EncodedTile.of(b"\x1a\x02").gzipped == b""  # gzip would only add bytes


def test_a_busy_pool_answers_503_not_a_new_connection(engine: Engine, settings: Settings) -> None:
    """The tiles' pool is fixed: with its only connection taken, a tile waits, then gets a 503."""
    configured = settings.model_copy(update={"tile_pool_size": 1, "db_pool_timeout": 0.2})
    with ContractClient(create_app(configured)) as busy:
        pool = busy.app.state.teselas.pool  # type: ignore[attr-defined]
        assert busy.portal is not None
        assert pool.get_stats()["pool_available"] == 1  # opened at start
        taken = busy.portal.call(pool.getconn)
        response = busy.get("/teselas/municipios/14/3789/7403.pbf")
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "ocupado" in response.json()["detalle"]
        busy.portal.call(pool.putconn, taken)
        assert busy.get("/teselas/municipios/14/3789/7403.pbf").status_code == 200
        stats = pool.get_stats()
        assert stats["pool_size"] == 1 and stats.get("connections_num", 1) == 1


def test_a_tile_survives_connections_the_server_closed(engine: Engine, settings: Settings) -> None:
    """After a database restart every pooled connection is dead; without a ping on checkout the
    first tile finds one, drops them and is answered on a new connection, not with a 503."""
    configured = settings.model_copy(update={"tile_pool_size": 2})
    with ContractClient(create_app(configured)) as client:
        path = "/teselas/municipios/14/3789/7403.pbf"
        before = client.get(path)
        assert before.status_code == 200
        with engine.begin() as conn:
            killed = conn.execute(
                text("SELECT count(*) FILTER (WHERE pg_terminate_backend(p)) FROM unnest(:p) p"),
                {"p": _pool_pids(client)},
            ).scalar_one()
        assert killed == 2
        after = client.get(path)
        assert after.status_code == 200 and after.content == before.content


def _pool_pids(client: ContractClient) -> list[int]:
    """The server process ids of the tiles' pooled connections."""
    pool = client.app.state.teselas.pool  # type: ignore[attr-defined]
    assert client.portal is not None
    taken = [client.portal.call(pool.getconn) for _ in range(pool.max_size)]
    pids = [conn.info.backend_pid for conn in taken]
    for conn in taken:
        client.portal.call(pool.putconn, conn)
    return pids
