"""The public pages and the panel in headless Chromium on a database filled the way
``scripts/demo`` fills it (``demo_database_url``): they show rows and features, and none of
their requests is answered 4xx or 5xx (every answer is also checked against the OpenAPI
document by ``live_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from api.settings import Settings
from geo.access.users import create_user, issue_token_by_name
from tests.api.browser import chromium, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(demo_settings: Settings) -> Iterator[str]:
    with live_server(demo_settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def watched(browser: Any, **options: Any) -> tuple[Any, list[str]]:
    """A page that records its script errors and every answer of 400 or more."""
    page = browser.new_page(**options)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return page, problems


def test_transparency_page_shows_the_demos_figures(browser: Any, base_url: str) -> None:
    page, problems = watched(browser, viewport={"width": 1000, "height": 800})
    page.goto(f"{base_url}/transparencia")
    page.wait_for_selector("#filas tr", timeout=30_000)
    rows = page.locator("#filas tr")
    assert rows.count() > 500  # every municipality, for each program and all of them
    text = page.inner_text("#filas")
    assert "Todos los programas" in text and "BIENESTAR" in text and "—" in text
    programs = page.locator("select[name=programa] option").all_inner_texts()
    assert {"BIENESTAR", "SEDESOL", "Todos los programas"} <= set(programs)
    page.select_option("select[name=nivel]", "localidad")
    page.select_option("select[name=programa]", "*")
    page.click("#filtros button")
    page.wait_for_function("() => document.getElementById('aviso').textContent.includes('filas')")
    assert "Sin localidad" in page.inner_text("#filas") or page.locator("#filas tr").count() > 100
    assert problems == []
    page.close()


BROKEN_WORDS = """() => {
  // Words of the table's headers and first rows that the layout split across two lines.
  const broken = [];
  const cells = [...document.querySelectorAll('table th'), ...[...document.querySelectorAll('#filas tr')]
    .slice(0, 60).flatMap((row) => [...row.cells])];
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_transparency_table_breaks_no_word(browser: Any, base_url: str, width: int) -> None:
    """Headers, places and figures wrap between words, never inside one: the table had the field
    page's narrow column and broke "Población" and "$353,230.00" in two. On a phone the table
    scrolls sideways within its box instead."""
    page, problems = watched(browser, viewport={"width": width, "height": 900})
    page.goto(f"{base_url}/transparencia")
    page.wait_for_selector("#filas tr", timeout=30_000)
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
    page.close()


def test_map_shows_coverage_features(browser: Any, base_url: str) -> None:
    page, problems = watched(browser, viewport={"width": 1000, "height": 750})
    page.goto(f"{base_url}/mapa")
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    page.click("#filtros-alternar")
    page.wait_for_selector("#filtro-periodo option[value='2016']", state="attached")
    page.evaluate("() => { document.body.dataset.mapaListo = ''; }")
    page.check("input[name=vista][value=cobertura]")
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    municipalities = page.evaluate(
        "() => window.padronMapa.queryRenderedFeatures({layers: ['cobertura-municipios']})"
        ".map(f => f.properties.personas ?? null)"
    )
    assert len(municipalities) > 100
    assert any(p is not None and p >= 5 for p in municipalities)
    assert all(p is None or p == 0 or p >= 5 for p in municipalities)
    page.evaluate(
        "() => { window.padronMapa.jumpTo({center: [-96.7255, 17.06], zoom: 10}); "
        "document.body.dataset.mapaListo = ''; }"
    )
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    localities = page.evaluate(
        "() => window.padronMapa.queryRenderedFeatures({layers: ['cobertura-localidades']}).length"
    )
    assert localities > 10
    assert problems == []
    page.close()


def test_panel_shows_the_demos_registry(browser: Any, base_url: str, demo_engine: Engine) -> None:
    with demo_engine.begin() as conn:
        create_user(conn, "demo_admin", "admin", "contraseña-de-prueba")
        token = issue_token_by_name(conn, "demo_admin", timedelta(hours=1)).access_token
    page, problems = watched(browser, viewport={"width": 1000, "height": 800})
    page.goto(f"{base_url}/campo")  # the panel uses the session started on /campo
    page.evaluate(
        "(token) => localStorage.setItem('padronSesion', JSON.stringify("
        "{token, expira: new Date(Date.now() + 3600e3).toISOString(), usuario: 'demo_admin'}))",
        token,
    )
    page.goto(f"{base_url}/panel")
    page.wait_for_selector("body[data-listo='1']", timeout=30_000)
    text = page.inner_text("#panel")
    assert "BIENESTAR" in text and "SEDESOL" in text
    assert page.locator("#panel table tr").count() >= 5
    assert problems == []
    page.close()
