"""The field page on a phone-sized headless Chromium: log in, search, open the record, map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from api.settings import Settings
from tests.api.acceso.conftest import MARIA, PASSWORD, AccessData
from tests.api.browser import chromium, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def field_url(engine: Engine, settings: Settings, access_data: AccessData) -> Iterator[str]:
    with live_server(settings) as url:
        yield url


def test_field_worker_finds_and_opens_a_record_on_a_phone(
    field_url: str, engine: Engine, access_data: AccessData
) -> None:
    with engine.begin() as conn:  # a photo whose file is gone must not hide the rest of the page
        conn.execute(
            text(
                "INSERT INTO acceso.foto (registro_id, carga_id, archivo, tipo, bytes, sha256, "
                "subida_por) VALUES (:r, :c, 'perdida.png', 'image/png', 1, repeat('0', 64), 'x')"
            ),
            {"r": access_data.maria_a, "c": access_data.carga_a},
        )

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 740})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{field_url}/campo")
        page.fill("input[name=username]", "campo_oax")
        page.fill("input[name=password]", PASSWORD)
        page.click("#entrar button")
        page.wait_for_selector("#buscar:not([hidden])", timeout=10_000)
        page.fill("input[name=q]", MARIA)
        page.click("#buscar button")
        page.wait_for_selector("#resultados button", timeout=10_000)
        assert page.locator("#resultados button").count() == 2
        page.locator("#resultados button").first.click()
        page.wait_for_selector("#ficha:not([hidden])", timeout=10_000)
        assert "María Guadalupe" in page.inner_text("#ficha-nombre")
        assert "2024-T1" in page.inner_text("#pagos") and "ACCB" in page.inner_text("#programas")
        page.wait_for_function(
            "() => window.padronCroquis && window.padronCroquis.loaded() && "
            "window.padronCroquis.queryRenderedFeatures({layers: ['puntos']}).length > 0",
            timeout=30_000,
        )
        page.wait_for_function(
            "() => document.getElementById('fotos').textContent.includes('no está disponible')",
            timeout=10_000,
        )
        page.fill("input[name=q]", "NO-EXISTE")
        page.click("#buscar button")
        page.wait_for_function(
            "() => document.getElementById('mensaje').textContent.includes('en su área')",
            timeout=10_000,
        )
        assert errors == []
