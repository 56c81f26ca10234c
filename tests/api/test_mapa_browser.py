"""The map page driven in headless Chromium: it renders, and clicks open popups."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from api.settings import Settings
from tests.api.browser import chromium, live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(engine: Engine, settings: Settings) -> Iterator[str]:
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_map_renders_with_legend_and_attribution(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1000, "height": 750})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/mapa")
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    assert (
        page.evaluate(
            "window.padronMapa.queryRenderedFeatures({layers: ['municipios-relleno']}).length"
        )
        > 100
    )
    assert "Muy alto" in page.inner_text("#leyenda")
    attribution = page.inner_text(".maplibregl-ctrl-attrib")
    assert "Fuente: INEGI" in attribution and "Fuente: CONAPO" in attribution
    assert errors == []
    page.close()


def test_clicks_open_municipality_and_locality_popups(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 740})  # a phone-sized screen
    page.goto(f"{base_url}/mapa")
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    page.evaluate(
        "() => { window.padronMapa.jumpTo({center: [-96.7255, 17.06], zoom: 9}); "
        "document.body.dataset.mapaListo = ''; }"
    )
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    # Click exactly on Oaxaca de Juárez's point.
    point = page.evaluate("() => window.padronMapa.project([-96.725450, 17.059993])")
    box = page.locator("#mapa").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.wait_for_selector(".maplibregl-popup-content", timeout=5_000)
    text = popup.inner_text()
    assert "Oaxaca de Juárez" in text and "258,913" in text and "IMU" in text
    page.keyboard.press("Escape")
    page.evaluate("() => document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove())")
    # A municipality: click far from any locality point, inside San Pedro Pochutla's polygon area.
    page.evaluate(
        "() => { window.padronMapa.jumpTo({center: [-96.45, 17.05], zoom: 6}); document.body.dataset.mapaListo = ''; }"
    )
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    point = page.evaluate("() => window.padronMapa.project([-96.725, 17.06])")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.wait_for_selector(".maplibregl-popup-content", timeout=5_000)
    assert "Marginación (IMM)" in popup.inner_text()
    page.close()


def test_coverage_view_filters_and_popups_on_a_phone(
    browser, base_url: str, cobertura: dict
) -> None:  # type: ignore[no-untyped-def]
    """Coverage of COBA in 2031 around Guadalupe de Ramírez (see the ``cobertura`` fixture): the
    tiles carry the publication, where 2 persons are not published."""
    page = browser.new_page(viewport={"width": 390, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/mapa")
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    page.click("#filtros-alternar")
    page.wait_for_selector("#filtro-periodo option[value='2031']", state="attached")
    page.evaluate("() => { document.body.dataset.mapaListo = ''; }")
    page.select_option("#filtro-periodo", "2031")
    page.check("input[name=programa][value=COBA]")
    page.check("input[name=vista][value=cobertura]")
    page.click("#filtros-alternar")  # close the panel so it does not cover the map
    page.evaluate(
        "() => { window.padronMapa.jumpTo({center: [-98.185, 17.757], zoom: 12}); "
        "document.body.dataset.mapaListo = ''; }"
    )
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    localities = page.evaluate(
        "() => Object.fromEntries(window.padronMapa.queryRenderedFeatures("
        "{layers: ['cobertura-localidades']}).map(f => [f.properties.cvegeo, f.properties]))"
    )
    assert "personas" not in localities["200340002"]  # 2 persons: suppressed
    assert localities["200340003"]["personas"] == 0  # persons of COBB only
    allowed = {
        "cvegeo",
        "nom_loc",
        "nom_mun",
        "pobtot",
        "gm",
        "fuente",
        "personas",
        "cobertura",
        "n",
    }
    assert all(set(p) <= allowed for p in localities.values())  # aggregates, nothing personal
    gaps = page.evaluate(
        "() => window.padronMapa.queryRenderedFeatures({layers: ['brechas']})"
        ".map(f => f.properties.cvegeo)"
    )
    assert "200340001" in gaps and "200340002" not in gaps  # Muy alto with 0 % vs Medio
    legend = page.inner_text("#leyenda")
    assert "Cobertura" in legend and "25 % o más" in legend and "No publicada" in legend
    assert not page.is_visible("#leyenda-grados")

    point = page.evaluate("() => window.padronMapa.project([-98.2033, 17.763835833333335])")
    box = page.locator("#mapa").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.wait_for_selector(".maplibregl-popup-content", timeout=5_000).inner_text()
    assert "San Ildefonso Salinas" in popup and "Cobertura 2031 (COBA): cifra no publicada" in popup

    page.evaluate(
        "() => { document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove()); "
        "window.padronMapa.jumpTo({center: [-96.45, 17.05], zoom: 6}); "
        "document.body.dataset.mapaListo = ''; }"
    )
    page.wait_for_selector("body[data-mapa-listo='1']", timeout=30_000)
    municipalities = page.evaluate(
        "() => window.padronMapa.queryRenderedFeatures({layers: ['cobertura-municipios']})"
        ".filter(f => f.properties.cvegeo === '20034').map(f => f.properties.personas)"
    )
    assert municipalities and set(municipalities) == {None}  # 2 persons: suppressed
    assert (
        page.evaluate(
            "() => window.padronMapa.queryRenderedFeatures({layers: ['cobertura-municipios']}).length"
        )
        > 100
    )
    assert errors == []
    page.close()


def test_any_maplibre_page_draws_the_published_style(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """A page of another origin loads ``/mapa/estilo.json`` (sources: the TileJSON documents,
    tiles with the data version) and draws every layer of the service."""
    page = browser.new_page(viewport={"width": 800, "height": 600})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content(
        f"""<div id="m" style="width:800px;height:600px"></div>
        <script src="{base_url}/static/vendor/maplibre-gl-4.7.1/maplibre-gl.js"></script>
        <script>
          const m = new maplibregl.Map({{container: "m", style: "{base_url}/mapa/estilo.json",
                                         center: [-96.7255, 17.06], zoom: 12}});
          m.on("idle", () => {{ window.listo = true; }});
          window.m = m;
        </script>"""
    )
    page.wait_for_function("window.listo === true", timeout=30_000)
    drawn = page.evaluate(
        "() => Object.fromEntries(['municipios-relleno', 'municipios-borde', 'localidades', "
        "'localidades-poligonos'].map(l => [l, m.queryRenderedFeatures({layers: [l]}).length]))"
    )
    assert all(count > 0 for count in drawn.values()), drawn
    tiles = page.evaluate("() => m.getSource('municipios').tiles[0]")
    assert tiles.startswith(base_url) and "?v=" in tiles
    assert errors == []
    page.close()


def test_the_icon_browsers_ask_for_is_the_projects(base_url: str) -> None:
    """A browser asks for ``/favicon.ico`` on any document that names no icon (the API's JSON,
    ``/collections``): it answered 404, which a browser's console reports on every such page."""
    answer = httpx.get(f"{base_url}/favicon.ico", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.history and answer.history[0].status_code == 301
