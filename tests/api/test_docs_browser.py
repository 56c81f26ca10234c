"""The API documentation renders in headless Chromium with every request off this machine blocked,
as on an office network without internet."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from api.settings import Settings
from tests.api.browser import chromium, live_server

pytestmark = pytest.mark.browser

HOST = "127.0.0.2"
"""A loopback address that is neither ``localhost`` nor ``127.0.0.1``, which Swagger UI treats
apart (it skips its online validator for them): the pages are seen as on an office's server."""

DECORATION = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""The one outside address in ReDoc's bundle: the logo beside "API docs by Redocly", which it
hides when the image fails to load. The docs' ``img-src`` refuses it before any request leaves."""


@pytest.fixture(scope="module")
def base_url(engine: Engine, settings: Settings) -> Iterator[str]:
    with live_server(settings, HOST) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        ("/docs", ".opblock-summary-path[data-path='/municipios']"),
        ("/redoc", "[data-section-id='tag/geografia/operation/municipios_municipios_get']"),
    ],
)
def test_docs_render_without_internet(browser, base_url: str, path: str, operation: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    outside: list[str] = []
    errors: list[str] = []

    def offline(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).hostname == HOST:
            route.continue_()
            return
        outside.append(url)
        route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    refused: list[str] = []  # what the page's security policy blocked (ReDoc's search worker)
    page.on(
        "console",
        lambda m: (
            refused.append(m.text)
            if "Content Security Policy" in m.text and DECORATION not in m.text
            else None
        ),
    )
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(operation, timeout=30_000)
    page.wait_for_load_state("networkidle")
    text = page.inner_text("body")
    assert "Padrón Único de Beneficiarios" in text
    assert "/localidades" in text and "/cobertura" in text  # other operations are listed too
    assert outside == []  # nothing asked of a CDN (ReDoc's logo included), Google Fonts, swagger.io
    assert errors == []
    assert refused == []
    context.close()
