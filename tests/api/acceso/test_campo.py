"""Field staff: search, visit plan and record within the area, points with their accuracy,
photos; all audited."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from geo.geocode import geocode
from tests.api.acceso.conftest import JUAN, MARIA, AccessData, bearer
from tests.api.contract import ContractClient

OUTSIDE = "No se encontró el registro en su área."


def _audit(engine: Engine, registro_id: int, accion: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT usuario, cliente FROM acceso.auditoria "
                    "WHERE registro_id = :r AND accion = :a ORDER BY id"
                ),
                {"r": registro_id, "a": accion},
            )
        ]


def _search(client: TestClient, data: AccessData, user: str, **body: str) -> Response:
    return client.post("/campo/buscar", json=body, headers=bearer(data, user))


def test_search_by_curp_finds_every_program_in_the_area(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    found = _search(client, access_data, "campo_oax", curp=MARIA.lower())
    assert found.status_code == 200, found.text
    assert [(r["programa"], r["folio"]) for r in found.json()] == [("ACCA", "F1"), ("ACCB", "G1")]
    assert ("campo_oax", "testclient") in _audit(engine, access_data.maria_a, "buscar")


def test_outside_the_area_looks_exactly_like_nonexistent(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    oax = bearer(access_data, "campo_oax")
    outside = _search(client, access_data, "campo_oax", curp=JUAN)
    missing = _search(client, access_data, "campo_oax", folio="NO-EXISTE")
    record = client.get(f"/campo/registros/{access_data.juan}", headers=oax)
    nothing = client.get("/campo/registros/999999999", headers=oax)
    for response in (outside, missing, record, nothing):
        assert response.status_code == 404 and response.json() == {"detalle": OUTSIDE}
    # The refusals answer like nothing exists, but each leaves its audit line.
    assert _audit(engine, access_data.juan, "consulta_rechazada") == [("campo_oax", "testclient")]
    assert _audit(engine, 999999999, "consulta_rechazada") == [("campo_oax", "testclient")]
    point = client.post(f"/campo/registros/{access_data.juan}/punto", json={"lon": -95.0, "lat": 16.4, "precision_m": 5},
                        headers=oax)  # fmt: skip
    assert point.status_code == 404
    assert len(_audit(engine, access_data.juan, "consulta_rechazada")) == 2
    istmo = _search(client, access_data, "campo_istmo", curp=JUAN)
    assert [r["folio"] for r in istmo.json()] == ["F2"]
    everywhere = _search(client, access_data, "planea", folio="F2")
    assert [r["programa"] for r in everywhere.json()] == ["ACCA"]


def test_search_by_name_ignores_accents_and_case_and_stays_in_the_area(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    oax = _search(client, access_data, "campo_oax", nombre="zenaida XICOTENCATL")
    assert oax.status_code == 200, oax.text
    assert sorted(r["folio"] for r in oax.json() if r["programa"] == "ACCT") == ["T000", "T007"]
    istmo = _search(client, access_data, "campo_istmo", nombre="Zenaida Xicoténcatl")
    assert [r["folio"] for r in istmo.json() if r["programa"] == "ACCT"] == ["T014"]
    abbreviated = _search(client, access_data, "campo_oax", nombre="Ma. Guadalupe Bautista",
                          localidad="200670001")  # fmt: skip
    assert {("ACCA", "F1"), ("ACCB", "G1")} <= {
        (r["programa"], r["folio"]) for r in abbreviated.json()
    }
    elsewhere = _search(client, access_data, "planea", nombre="Zenaida Xicoténcatl",
                        localidad="200430001")  # fmt: skip
    assert [r["folio"] for r in elsewhere.json() if r["programa"] == "ACCT"] == ["T014"]
    with engine.connect() as conn:  # the audit names the criterion, never what was searched
        details = conn.scalars(
            text("SELECT detalle FROM acceso.auditoria WHERE accion LIKE 'buscar%'")
        ).all()
    assert "nombre" in details and not any("ZENAIDA" in (d or "").upper() for d in details)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "un folio, una CURP o un nombre"),
        ({"folio": "F1", "curp": MARIA}, "solo uno"),
        ({"curp": "BAOG' OR 1=1 --XXX"}, "CURP no válida"),
        ({"folio": "F1'; DROP TABLE padron.registro; --"}, "Folio no válido"),
        ({"nombre": "Zenaida"}, "al menos dos palabras"),
        ({"nombre": "Zenaida Quiroz", "localidad": "20067000X"}, "Localidad no válida"),
        ({"folio": "F1", "extra": "x"}, "extra"),
    ],
)
def test_bad_searches_are_refused_clearly(
    client: TestClient, access_data: AccessData, body: dict[str, str], message: str
) -> None:
    response = _search(client, access_data, "planea", **body)
    assert response.status_code in (400, 422) and message in response.text


def test_search_by_query_string_is_gone(client: TestClient, access_data: AccessData) -> None:
    """What is searched travels in the body: a URL with the CURP is not a search."""
    response = client.get(
        "/campo/buscar", params={"curp": MARIA}, headers=bearer(access_data, "campo_oax")
    )
    assert response.status_code == 405


def test_beneficiary_record_has_memberships_payments_and_place(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    response = client.get(f"/campo/registros/{access_data.maria_a}",
                          headers=bearer(access_data, "campo_oax"))  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["curp"] == MARIA and body["nombre"] == "María Guadalupe"
    assert body["programas"] == ["ACCA", "ACCB"]
    assert [(i["programa"], i["folio"], i["importe"]) for i in body["inscripciones"]] == [
        ("ACCA", "F1", "3100.00"), ("ACCB", "G1", "1500.00")
    ]  # fmt: skip
    assert body["pagos_por_periodo"] == [
        {"periodo": "2024-T2", "importe": "4600.00",
         "por_programa": {"ACCA": "3100.00", "ACCB": "1500.00"}}
    ]  # fmt: skip
    assert body["localidad_declarada"] == "Oaxaca de Juárez"
    assert body["precision"] in ("croquis", "verificado_campo")
    assert _audit(engine, access_data.maria_a, "consultar")[-1] == ("campo_oax", "testclient")


# -- visit plan ---------------------------------------------------------------------------------


def test_visit_plan_lists_the_households_of_chosen_localities_in_the_area(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    oax = bearer(access_data, "campo_oax")
    municipalities = client.get("/campo/municipios", headers=oax)
    assert municipalities.json() == [{"cvegeo": "20067", "nom_mun": "Oaxaca de Juárez"}]
    localities = client.get("/campo/localidades", params={"municipio": "20067"}, headers=oax)
    seat = next(loc for loc in localities.json() if loc["cvegeo"] == "200670001")
    assert seat["nom_loc"] == "Oaxaca de Juárez" and seat["registros"] >= 14
    refused = client.get("/campo/localidades", params={"municipio": "20043"}, headers=oax)
    assert refused.status_code == 400 and "no está en su área" in refused.json()["detalle"]

    plan = client.get("/campo/plan", params={"localidad": ["200670001", "200430001"]}, headers=oax)
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["localidades"] == ["200430001", "200670001"]
    folios = {(r["programa"], r["folio"]) for r in body["registros"]}
    assert {("ACCA", "F1"), ("ACCB", "G1")} | {("ACCT", f"T{i:03d}") for i in range(12)} <= folios
    assert ("ACCA", "F2") not in folios  # Juan lives in Juchitán, outside campo_oax's area
    maria = next(r for r in body["registros"] if r["folio"] == "F1")
    assert maria["curp"] == MARIA and maria["descrubic"] == "Frente al mercado"
    assert maria["nomvial"] == "Hidalgo" and maria["lon"] is not None
    hours = (dt.datetime.fromisoformat(body["vigente_hasta"])
             - dt.datetime.fromisoformat(body["generado_en"]))  # fmt: skip
    assert hours == dt.timedelta(hours=12)
    assert ("campo_oax", "testclient") in _audit(engine, access_data.maria_a, "plan_de_visita")


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"localidad": ["20067001"]}, 400, "Localidad no válida"),
        ({"localidad": [f"2006700{i:02d}" for i in range(21)]}, 422, "20"),
        ({}, 422, "localidad"),
    ],
)
def test_bad_visit_plans_are_refused_clearly(
    client: TestClient, access_data: AccessData, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get("/campo/plan", params=params, headers=bearer(access_data, "campo_oax"))
    assert response.status_code == status and message in response.text


def test_a_visit_plan_has_a_configured_ceiling(
    engine: Engine, settings: Settings, access_data: AccessData
) -> None:
    small = settings.model_copy(update={"plan_max_registros": 3, "plan_horas": 8})
    with ContractClient(create_app(small)) as client:
        response = client.get("/campo/plan", params={"localidad": "200670001"},
                              headers=bearer(access_data, "campo_oax"))  # fmt: skip
    assert response.status_code == 400 and "pasa de 3 registros" in response.json()["detalle"]


# -- points measured in the field ---------------------------------------------------------------


def _location(engine: Engine, record: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT precision, confianza, cvegeo_mun, round(ST_X(geom)::numeric, 4)::float, "
                    "round(ST_Y(geom)::numeric, 4)::float FROM padron.ubicacion WHERE registro_id = :r"
                ),
                {"r": record},
            ).one()
        )


def _kept(engine: Engine, record: int) -> tuple[Any, ...] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT precision, precision_m, usuario FROM acceso.punto_verificado "
                "WHERE registro_id = :r"
            ),
            {"r": record},
        ).first()
    return None if row is None else tuple(row)


def _regeocode(engine: Engine, record: int) -> None:
    with engine.connect() as conn:
        batch = conn.scalar(
            text("SELECT carga_id FROM padron.registro WHERE id = :r"), {"r": record}
        )
    geocode(engine, batch)


def _acct(engine: Engine, folio: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                text("SELECT id FROM padron.registro WHERE programa = 'ACCT' AND folio = :f"),
                {"f": folio},
            )
        )


def test_verified_point_carries_its_accuracy_and_outranks_geocoding(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    record, oax = access_data.maria_b, bearer(access_data, "campo_oax")
    url = f"/campo/registros/{record}/punto"
    far = client.post(url, json={"lon": -95.0203, "lat": 16.4347, "precision_m": 5}, headers=oax)
    assert far.status_code == 400 and "fuera de los municipios de su área" in far.json()["detalle"]
    abroad = client.post(url, json={"lon": -99.13, "lat": 19.43, "precision_m": 5}, headers=oax)
    assert abroad.status_code == 400 and "fuera de Oaxaca" in abroad.json()["detalle"]
    assert (
        client.post(url, json={"lon": "x", "lat": 17, "precision_m": 5}, headers=oax).status_code
        == 422
    )
    without = client.post(url, json={"lon": -96.7241, "lat": 17.0612}, headers=oax)
    assert without.status_code == 422 and "precision_m" in without.text
    before = _location(engine, record)
    assert before[0] == "croquis"

    # A 350 m fix is no verified point: kept as campo_impreciso, the household's point stays.
    poor = client.post(url, json={"lon": -96.7241, "lat": 17.0612, "precision_m": 350}, headers=oax)
    assert poor.status_code == 200, poor.text
    assert poor.json()["precision"] == "campo_impreciso" and poor.json()["es_ubicacion"] is False
    assert poor.json()["umbral_m"] == 30
    assert _location(engine, record) == before
    assert _kept(engine, record) == ("campo_impreciso", 350, "campo_oax")

    done = client.post(url, json={"lon": -96.7241, "lat": 17.0612, "precision_m": 8}, headers=oax)
    assert done.status_code == 200, done.text
    answer = done.json()
    assert (answer["precision"], answer["precision_m"], answer["es_ubicacion"]) == (
        "verificado_campo", 8, True,
    )  # fmt: skip
    assert answer["distancia_m"] == pytest.approx(241, abs=5)  # from the croquis (-96.7260, 17.06)
    assert _location(engine, record) == ("verificado_campo", 1.0, "20067", -96.7241, 17.0612)
    assert _kept(engine, record) == ("verificado_campo", 8, "campo_oax")
    with engine.connect() as conn:
        details = conn.scalars(
            text(
                "SELECT detalle FROM acceso.auditoria WHERE registro_id = :r "
                "AND accion = 'verificar_punto' ORDER BY id"
            ),
            {"r": record},
        ).all()
    assert details[-2:] == [
        "campo_impreciso ±350 m; antes: croquis; no reemplaza la ubicación",
        "verificado_campo ±8 m; antes: croquis",
    ]
    # A later poor fix neither replaces the verified point nor its record.
    again = client.post(
        url, json={"lon": -96.7230, "lat": 17.0630, "precision_m": 120}, headers=oax
    )
    assert again.json()["es_ubicacion"] is False
    assert _kept(engine, record) == ("verificado_campo", 8, "campo_oax")
    # Re-geocoding the batch (e.g. padron geocode --todas) keeps the verified point.
    _regeocode(engine, record)
    assert _location(engine, record) == ("verificado_campo", 1.0, "20067", -96.7241, 17.0612)


def test_poor_fix_replaces_only_a_locality_point(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    record = _acct(engine, "T001")
    assert _location(engine, record)[0] == "localidad"
    url = f"/campo/registros/{record}/punto"
    sent = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)  # queued offline, sent later
    poor = client.post(
        url,
        json={"lon": -96.7300, "lat": 17.0650, "precision_m": 90, "medido_en": sent.isoformat()},
        headers=bearer(access_data, "campo_oax"),
    )
    assert poor.status_code == 200, poor.text
    assert poor.json()["es_ubicacion"] is True and poor.json()["precision"] == "campo_impreciso"
    assert _location(engine, record) == ("campo_impreciso", 0.5, "20067", -96.73, 17.065)
    with engine.connect() as conn:
        measured = conn.scalar(
            text("SELECT medido_en FROM acceso.punto_verificado WHERE registro_id = :r"),
            {"r": record},
        )
    assert abs(measured - sent) < dt.timedelta(seconds=1)
    _regeocode(engine, record)
    assert _location(engine, record)[:2] == ("campo_impreciso", 0.5)


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"precision_m": 0}, 422, "precision_m"),
        ({"precision_m": 5, "medido_en": "2020-01-01T00:00:00+00:00"}, 400, "últimos 3 días"),
        ({"precision_m": 5, "medido_en": "2024-01-01T00:00:00"}, 422, "medido_en"),
    ],
)
def test_bad_fixes_are_refused_clearly(
    client: TestClient, access_data: AccessData, engine: Engine,
    extra: dict[str, Any], status: int, message: str,
) -> None:  # fmt: skip
    response = client.post(f"/campo/registros/{_acct(engine, 'T002')}/punto",
                           json={"lon": -96.7241, "lat": 17.0612, **extra},
                           headers=bearer(access_data, "campo_oax"))  # fmt: skip
    assert response.status_code == status and message in response.text


def test_the_accuracy_threshold_is_configured(
    engine: Engine, settings: Settings, access_data: AccessData
) -> None:
    record = _acct(engine, "T003")
    lenient = settings.model_copy(update={"campo_precision_max_m": 500})
    with ContractClient(create_app(lenient)) as client:
        response = client.post(f"/campo/registros/{record}/punto",
                               json={"lon": -96.7241, "lat": 17.0612, "precision_m": 350},
                               headers=bearer(access_data, "campo_oax"))  # fmt: skip
    assert response.json()["precision"] == "verificado_campo", response.text
    assert _location(engine, record)[0] == "verificado_campo"


def _png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x80\x40\x20" * width)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_photo_upload_is_checked_stored_privately_and_served_only_in_the_area(
    photo_client: tuple[TestClient, Path], access_data: AccessData, engine: Engine
) -> None:
    client, folder = photo_client
    url = f"/campo/registros/{access_data.maria_a}/fotos"
    oax = bearer(access_data, "campo_oax")
    content = _png()
    uploaded = client.post(url, files={"foto": ("casa.txt", content, "text/plain")}, headers=oax)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["tipo"] == "image/png"
    photo = uploaded.json()["foto"]
    stored = list(folder.iterdir())
    assert len(stored) == 1 and "static" not in stored[0].parts
    seen = client.get(f"{url}/{photo}", headers=oax)
    # What is stored and served is Pillow's encoding of the picture, not the bytes sent.
    assert seen.status_code == 200 and seen.content == stored[0].read_bytes()
    assert Image.open(io.BytesIO(seen.content)).getpixel((0, 0)) == (0x80, 0x40, 0x20)
    assert seen.headers["cache-control"] == "no-store"
    assert client.get(f"{url}/{photo}").status_code == 401
    other = client.get(f"{url}/{photo}", headers=bearer(access_data, "campo_istmo"))
    assert other.status_code == 404 and other.json() == {"detalle": OUTSIDE}
    assert client.get(f"/static/../{stored[0].name}").status_code == 404
    assert _audit(engine, access_data.maria_a, "subir_foto")[-1] == ("campo_oax", "testclient")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vacía"),
        (b"GIF89a" + b"\x00" * 20, "JPEG o PNG"),
        (b"<?php system($_GET['c']); ?>", "JPEG o PNG"),
        (b"\xff\xd8\xff" + b"\x00" * 1100, "excede"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "JPEG o PNG"),
        (_png()[:45], "JPEG o PNG"),  # a PNG cut inside its pixels: it starts well, no more
    ],
)
def test_bad_photos_are_refused_and_leave_nothing(
    photo_client: tuple[TestClient, Path], access_data: AccessData, engine: Engine,
    content: bytes, message: str,
) -> None:  # fmt: skip
    client, folder = photo_client
    before = set(folder.iterdir()) if folder.exists() else set()
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM acceso.foto"))
    response = client.post(
        f"/campo/registros/{access_data.maria_a}/fotos",
        files={"foto": ("casa.jpg", content, "image/jpeg")},
        headers=bearer(access_data, "campo_oax"),
    )
    assert response.status_code == 400 and message in response.json()["detalle"]
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM acceso.foto")) == count


def test_field_page_is_spanish_and_holds_no_data(client: TestClient) -> None:
    page = client.get("/campo")
    assert (
        page.status_code == 200 and 'lang="es"' in page.text and "Folio, CURP o nombre" in page.text
    )
    assert page.headers["cache-control"] == "no-store"
    assert 'name="viewport"' in page.text and 'rel="manifest"' in page.text
    assert '"umbralPrecisionM": 30' in page.text and '"fotoLadoPx": 1600' in page.text


def test_a_photo_is_stored_without_its_exif_location(
    photo_client: tuple[TestClient, Path], access_data: AccessData
) -> None:
    client, _ = photo_client
    exif = Image.Exif()
    exif[0x8825] = {2: (19.0, 26.0, 0.0), 1: "N", 4: (99.0, 8.0, 0.0), 3: "W"}  # GPS: elsewhere
    exif[0x010E] = "una descripción"
    original = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(original, "JPEG", exif=exif, quality=50)
    assert Image.open(io.BytesIO(original.getvalue())).getexif().get_ifd(0x8825)
    url = f"/campo/registros/{access_data.maria_a}/fotos"
    oax = bearer(access_data, "campo_oax")
    uploaded = client.post(
        url, files={"foto": ("c.jpg", original.getvalue(), "image/jpeg")}, headers=oax
    )
    assert uploaded.status_code == 201, uploaded.text
    served = client.get(f"{url}/{uploaded.json()['foto']}", headers=oax)
    assert served.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(served.content))
    assert picture.format == "JPEG" and picture.size == (8, 8)
    assert not picture.getexif() and b"Exif" not in served.content


def test_a_phone_jpeg_with_a_second_picture_is_stored_as_jpeg(
    client: TestClient, access_data: AccessData
) -> None:
    """Phones write MPO (a JPEG followed by a second picture): Pillow calls it MPO, not JPEG."""
    mpo = io.BytesIO()
    first, second = Image.new("RGB", (4, 4), "blue"), Image.new("RGB", (4, 4), "green")
    first.save(mpo, "MPO", save_all=True, append_images=[second], quality=40)
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"
    uploaded = client.post(
        f"/campo/registros/{access_data.maria_a}/fotos",
        files={"foto": ("m.jpg", mpo.getvalue(), "image/jpeg")},
        headers=bearer(access_data, "campo_oax"),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["tipo"] == "image/jpeg"


def test_the_field_page_is_installable(client: TestClient) -> None:
    manifest = client.get("/campo/manifiesto.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["start_url"], body["scope"], body["display"], body["lang"]) == (
        "/campo", "/campo", "standalone", "es-MX",
    )  # fmt: skip
    for icon in body["icons"]:
        assert client.get(icon["src"]).headers["content-type"] == "image/png"
    worker = client.get("/campo/sw.js")
    assert worker.headers["service-worker-allowed"] == "/campo"
    assert worker.headers["content-type"].startswith("text/javascript")
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', worker.text)
    assert version, worker.text[:300]
    for path in (
        re.search(r"const FILES = (\[.*?\]);", worker.text).group(1).strip("[]").split(", ")
    ):
        assert client.get(path.strip('"')).status_code == 200, path
