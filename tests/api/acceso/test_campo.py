"""Field staff: search and record within the area, verified point, photos; all audited."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, text

from geo.geocode import geocode
from tests.api.acceso.conftest import JUAN, MARIA, AccessData, bearer

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


def test_search_by_curp_finds_every_program_in_the_area(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    found = client.get("/campo/buscar", params={"curp": MARIA.lower()},
                       headers=bearer(access_data, "campo_oax"))  # fmt: skip
    assert found.status_code == 200, found.text
    assert [(r["programa"], r["folio"]) for r in found.json()] == [("ACCA", "F1"), ("ACCB", "G1")]
    assert ("campo_oax", "testclient") in _audit(engine, access_data.maria_a, "buscar")


def test_outside_the_area_looks_exactly_like_nonexistent(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    oax = bearer(access_data, "campo_oax")
    outside = client.get("/campo/buscar", params={"curp": JUAN}, headers=oax)
    missing = client.get("/campo/buscar", params={"folio": "NO-EXISTE"}, headers=oax)
    record = client.get(f"/campo/registros/{access_data.juan}", headers=oax)
    nothing = client.get("/campo/registros/999999999", headers=oax)
    for response in (outside, missing, record, nothing):
        assert response.status_code == 404 and response.json() == {"detalle": OUTSIDE}
    # The refusals answer like nothing exists, but each leaves its audit line.
    assert _audit(engine, access_data.juan, "consulta_rechazada") == [("campo_oax", "testclient")]
    assert _audit(engine, 999999999, "consulta_rechazada") == [("campo_oax", "testclient")]
    point = client.post(f"/campo/registros/{access_data.juan}/punto", json={"lon": -95.0, "lat": 16.4},
                        headers=oax)  # fmt: skip
    assert point.status_code == 404
    assert len(_audit(engine, access_data.juan, "consulta_rechazada")) == 2
    istmo = client.get("/campo/buscar", params={"curp": JUAN},
                       headers=bearer(access_data, "campo_istmo"))  # fmt: skip
    assert [r["folio"] for r in istmo.json()] == ["F2"]
    everywhere = client.get("/campo/buscar", params={"folio": "F2"},
                            headers=bearer(access_data, "planea"))  # fmt: skip
    assert [r["programa"] for r in everywhere.json()] == ["ACCA"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "folio o una CURP"),
        ({"folio": "F1", "curp": MARIA}, "solo uno"),
        ({"curp": "BAOG' OR 1=1 --XXX"}, "CURP no válida"),
        ({"folio": "F1'; DROP TABLE padron.registro; --"}, "Folio no válido"),
    ],
)
def test_bad_searches_are_refused_clearly(
    client: TestClient, access_data: AccessData, params: dict[str, str], message: str
) -> None:
    response = client.get("/campo/buscar", params=params, headers=bearer(access_data, "planea"))
    assert response.status_code in (400, 422) and message in response.text


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
        {"periodo": "2024-T1", "importe": "4600.00",
         "por_programa": {"ACCA": "3100.00", "ACCB": "1500.00"}}
    ]  # fmt: skip
    assert body["localidad_declarada"] == "Oaxaca de Juárez" and body["precision"] == "croquis"
    assert (body["lon"], body["lat"]) == pytest.approx((-96.7255, 17.06))
    assert _audit(engine, access_data.maria_a, "consultar")[-1] == ("campo_oax", "testclient")


def test_verified_point_becomes_the_location_and_is_audited(
    client: TestClient, access_data: AccessData, engine: Engine
) -> None:
    record, oax = access_data.maria_b, bearer(access_data, "campo_oax")
    url = f"/campo/registros/{record}/punto"
    far = client.post(url, json={"lon": -95.0203, "lat": 16.4347}, headers=oax)
    assert far.status_code == 400 and "fuera de los municipios de su área" in far.json()["detalle"]
    abroad = client.post(url, json={"lon": -99.13, "lat": 19.43}, headers=oax)
    assert abroad.status_code == 400 and "fuera de Oaxaca" in abroad.json()["detalle"]
    assert client.post(url, json={"lon": "x", "lat": 17}, headers=oax).status_code == 422
    done = client.post(url, json={"lon": -96.7241, "lat": 17.0612}, headers=oax)
    assert done.status_code == 200, done.text
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT precision, cvegeo_mun, ST_X(geom), ST_Y(geom) FROM padron.ubicacion "
                "WHERE registro_id = :r"
            ),
            {"r": record},
        ).one()
        kept = conn.scalar(
            text("SELECT usuario FROM acceso.punto_verificado WHERE registro_id = :r"),
            {"r": record},
        )
    assert tuple(row) == ("verificado_campo", "20067", -96.7241, 17.0612)
    assert kept == "campo_oax"
    assert _audit(engine, record, "verificar_punto") == [("campo_oax", "testclient")]
    # Re-geocoding the batch (e.g. padron geocode --todas) keeps the verified point.
    with engine.connect() as conn:
        batch = conn.scalar(text("SELECT carga_id FROM padron.ubicacion WHERE registro_id = :r"),
                            {"r": record})  # fmt: skip
    geocode(engine, batch)
    with engine.connect() as conn:
        again = conn.execute(
            text(
                "SELECT precision, ST_X(geom), ST_Y(geom) FROM padron.ubicacion WHERE registro_id = :r"
            ),
            {"r": record},
        ).one()
    assert tuple(again) == ("verificado_campo", -96.7241, 17.0612)


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
    assert page.status_code == 200 and 'lang="es"' in page.text and "Folio o CURP" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'name="viewport"' in page.text


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
