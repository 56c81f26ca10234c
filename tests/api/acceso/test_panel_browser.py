"""The control panel in headless Chromium: formatted figures, charts, the overlap matrix, the
coverage map and a CSV behind every chart.

The screenshot is of fixed figures (served in place of ``/panel/datos``, and checked against the
route's schema first) so that it does not move with what other tests load; the map's tiles are
the service's own. A second pass reads the real figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from tests.api.acceso.conftest import AccessData
from tests.api.browser import chromium, live_server
from tests.api.contract import Contract
from tests.api.screenshots import assert_matches_baseline, settled

pytestmark = pytest.mark.browser

PROGRAMS = ["BECA", "PAM", "SALUD", "VIVIENDA"]
OVERLAP = [
    [412_530, 18_230, 95_112, 4_410],
    [18_230, 1_198_765, 240_018, 12_006],
    [95_112, 240_018, 731_044, 8_800],
    [4_410, 12_006, 8_800, 96_327],
]
BATCHES = [
    (101, "PAM", "2023", "2023-03-31T18:00:00Z", 1_250_000, 0.62, 0.09),
    (102, "BECA", "2023", "2023-06-30T18:00:00Z", 420_000, 0.55, 0.14),
    (103, "SALUD", "2023", "2023-09-30T18:00:00Z", 760_000, 0.48, 0.21),
    (104, "PAM", "2024", "2024-03-31T18:00:00Z", 1_271_330, 0.71, 0.06),
    (105, "VIVIENDA", "2024", "2024-06-30T18:00:00Z", 98_000, 0.35, 0.31),
    (106, "BECA", "2024", "2024-09-30T18:00:00Z", 415_500, 0.66, 0.08),
]


def fixed_panel(engine: Engine) -> dict[str, Any]:
    """Plausible figures for Oaxaca, over the real regions and municipalities."""
    with engine.connect() as conn:
        municipalities = conn.execute(
            text("SELECT cvegeo, nom_mun, pob_2020, region FROM boundaries.municipio ORDER BY 1")
        ).all()
    regions = sorted({m.region for m in municipalities})
    people = {m.cvegeo: m.pob_2020 * ((int(m.cvegeo) * 37) % 31) // 100 for m in municipalities}
    by_region = []
    for i, region in enumerate(regions):
        inside = [m for m in municipalities if m.region == region]
        population = sum(m.pob_2020 for m in inside)
        reached = sum(people[m.cvegeo] for m in inside)
        by_region.append({
            "region": region, "poblacion": population, "personas": reached,
            "cobertura": reached / population,
            "por_programa": {
                p: {"personas": reached * (j + 1) // 10, "grupo": "65+" if p == "PAM" else "total",
                    "poblacion_grupo": population * (0.11 if p == "PAM" else 1.0),
                    "cobertura": min(1.0, (reached * (j + 1) // 10)
                                     / (population * (0.11 if p == "PAM" else 1.0)) * (1 + i / 10))}
                for j, p in enumerate(PROGRAMS)
            },
        })  # fmt: skip
    batches = []
    for carga, program, period, done, records, croquis, flagged in BATCHES:
        located = int(records * croquis)
        batches.append({
            "carga": carga, "programa": program, "periodo": period, "terminada_en": done,
            "filas_leidas": records + 120, "registros": records, "filas_rechazadas": 120,
            "con_bandera": int(records * flagged),
            "por_precision": {"croquis": located, "localidad": int(records * 0.2),
                              "municipio": records - located - int(records * 0.2) - 500,
                              "sin_ubicar": 500},
            "por_bandera": {"coord_fuera_de_municipio": int(records * flagged * 0.5),
                            "nombre_aproximado": int(records * flagged * 0.3),
                            "coord_cero": int(records * flagged * 0.2)},
        })  # fmt: skip
    totals = [("BECA", 835_500, 412_530, "4177500000.00"), ("PAM", 2_521_330, 1_198_765,
              "12713300.00"), ("SALUD", 760_000, 731_044, None),
              ("VIVIENDA", 98_000, 96_327, "245000000.50")]  # fmt: skip
    return {
        "por_programa": [
            {"programa": p, "registros": r, "personas": n, "importe": i} for p, r, n, i in totals
        ],
        "duplicados": {
            "personas_por_programa": {p: OVERLAP[i][i] for i, p in enumerate(PROGRAMS)},
            "pares_de_programas": [
                {"programas": [a, b], "personas": OVERLAP[i][j]}
                for i, a in enumerate(PROGRAMS)
                for j, b in enumerate(PROGRAMS)
                if i < j
            ],
            "inscripciones_repetidas": {"BECA": 1_204, "PAM": 22_565, "SALUD": 0, "VIVIENDA": 17},
            "importe_involucrado": "386744120.00",
        },
        "traslape": {"programas": PROGRAMS, "personas": OVERLAP},
        "cobertura": {"personas": 2_101_448, "poblacion": 4_132_148, "pct": 50.857},
        "periodo": "2024",
        "periodos": ["2024", "2023"],
        "regiones": by_region,
        "municipios": [
            {
                "cvegeo": m.cvegeo,
                "nom_mun": m.nom_mun,
                "poblacion": m.pob_2020,
                "personas": people[m.cvegeo],
                "cobertura": people[m.cvegeo] / m.pob_2020,
            }
            for m in municipalities
        ],
        "calidad": {
            "por_precision": {"croquis": 2_512_000, "localidad": 842_000, "municipio": 420_000},
            "por_bandera": {"coord_fuera_de_municipio": 101_000, "nombre_aproximado": 60_500},
        },
        "calidad_por_carga": batches,
        "ultimas_cargas": [
            {
                "carga": b["carga"],
                "programa": b["programa"],
                "periodo": b["periodo"],
                "archivo": f"{b['programa'].lower()}_{b['periodo']}.csv",
                "filas_leidas": b["filas_leidas"],
                "filas_cargadas": b["registros"],
                "filas_rechazadas": 120,
                "terminada_en": b["terminada_en"],
                "usuario": "jefa",
            }
            for b in reversed(batches)
        ],
    }


@pytest.fixture(scope="module")
def panel_url(engine: Engine, settings: Settings, access_data: AccessData) -> Iterator[str]:
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def admin_page(browser: Any, base: str, data: AccessData) -> Any:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="en-US",
        timezone_id="America/Mexico_City", reduced_motion="reduce", accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{base}/campo")  # the panel uses the session started on /campo
    page.evaluate(
        "(token) => localStorage.setItem('padronSesion', JSON.stringify("
        "{token, expira: new Date(Date.now() + 3600e3).toISOString(), usuario: 'jefa'}))",
        data.tokens["jefa"],
    )
    return page


def map_ready(page: Any) -> None:
    page.wait_for_function(
        "() => window.padronPanelMapa && window.padronPanelMapa.loaded()", timeout=30_000
    )
    page.evaluate(
        "() => new Promise((ok) => { const m = window.padronPanelMapa; m.once('idle', ok); "
        "m.triggerRepaint(); })"
    )
    page.wait_for_function(
        "() => window.padronPanelMapa && window.padronPanelMapa.loaded() && "
        "window.padronPanelMapa.areTilesLoaded() && "
        "window.padronPanelMapa.queryRenderedFeatures({layers: ['cobertura']}).length > 100",
        timeout=30_000,
    )


def whole_page(page: Any) -> bytes:
    """The page at its full height, captured in a viewport that tall. Playwright's full-page
    capture lays the page out at zero width for an instant (a ResizeObserver on the map saw it),
    and MapLibre then redrew its canvas at its fallback width of 400 px: one capture in three
    showed the map a third narrower than its card."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    map_ready(page)
    return settled(page.screenshot)


def test_panel_shows_formatted_figures_charts_matrix_and_map(
    browser: Any, panel_url: str, engine: Engine, settings: Settings, access_data: AccessData
) -> None:
    figures = fixed_panel(engine)
    body = json.dumps(figures).encode()
    Contract(create_app(settings).openapi()).check(
        "GET", "/panel/datos", 200, "application/json", body
    )
    page = admin_page(browser, panel_url, access_data)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/panel/datos*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body))  # fmt: skip
    page.goto(f"{panel_url}/panel")
    page.wait_for_selector("body[data-listo='1']", timeout=20_000)
    map_ready(page)
    # Figures for Mexico: thousands with commas, pesos, percentages.
    cifras = page.inner_text("#cifras")
    assert "2,101,448" in cifras and "4,132,148" in cifras and "50.9%" in cifras
    totals = page.inner_text("#totales")
    assert "$12,713,300.00" in totals and "1,198,765" in totals and "12713300" not in totals
    matrix = page.inner_text("#traslape")
    assert "240,018" in matrix and "1,198,765" in matrix
    charts = page.evaluate("Object.keys(Chart.instances).length")
    assert charts == 4
    assert page.locator("#periodo").input_value() == "2024"
    assert_matches_baseline(whole_page(page), "panel-1280")

    # Every chart downloads as CSV, with the exact figures.
    downloads = {}
    for button in page.locator("button[data-csv]").all():
        with page.expect_download() as download:
            button.click()
        content = download.value.path().read_bytes().decode("utf-8-sig")
        downloads[download.value.suggested_filename] = list(csv.reader(io.StringIO(content)))
    assert set(downloads) == {
        "cobertura-regiones-2024.csv", "cobertura-region-programa-2024.csv",
        "traslape-programas.csv", "cobertura-municipios-2024.csv", "precision-por-carga.csv",
        "banderas-por-carga.csv", "totales-por-programa.csv", "ultimas-cargas.csv",
    }  # fmt: skip
    assert downloads["traslape-programas.csv"][0] == ["programa", *PROGRAMS]
    assert downloads["traslape-programas.csv"][2] == ["PAM", *map(str, OVERLAP[1])]
    assert len(downloads["cobertura-municipios-2024.csv"]) == 571
    assert downloads["totales-por-programa.csv"][2] == [
        "PAM",
        "2521330",
        "1198765",
        "12713300.00",
        "22565",
    ]
    assert downloads["precision-por-carga.csv"][1][:5] == [
        "101",
        "PAM",
        "2023",
        "2023-03-31T18:00:00Z",
        "1250000",
    ]
    assert errors == []
    page.context.close()


def test_panel_reads_the_real_figures(
    browser: Any, panel_url: str, access_data: AccessData
) -> None:
    page = admin_page(browser, panel_url, access_data)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{panel_url}/panel")
    page.wait_for_selector("body[data-listo='1']", timeout=20_000)
    assert "ACCT" in page.inner_text("#totales")
    assert page.evaluate("Object.keys(Chart.instances).length") == 4
    assert errors == []
    page.context.close()


def test_panel_without_a_session_says_how_to_get_one(browser: Any, panel_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{panel_url}/panel")
    page.wait_for_selector("#sin-sesion:not([hidden])")
    assert page.locator("#panel").is_hidden() and "/campo" in page.inner_text("#sin-sesion")
    page.close()
