"""The field page on a phone in headless Chromium (360 and 390 px wide): layout and Spanish,
screenshots against baselines, the croquis, honest verified points, work without signal, and
photos resized on the phone with progress and retry.

The context's locale is English on purpose: every word on screen must be the page's own.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine, text

from api.settings import Settings
from geo.geocode import geocode
from geo.ingest import ingest_file
from tests.api.acceso.conftest import PASSWORD, AccessData, curp
from tests.api.browser import chromium, live_server
from tests.api.screenshots import assert_matches_baseline, settled
from tests.ingest.builders import roster_writer

pytestmark = pytest.mark.browser

ROSALBA = curp("HECR700101MOCRRS0")
HOUSE = {"CVE_MUN": "067", "NOM_MUN": "Oaxaca de Juárez", "CVE_LOC": "0001",
         "NOM_LOC": "Oaxaca de Juárez", "PERIODO": "2024-T1", "NU_IMP_MONETARIO": "1750.50"}  # fmt: skip
HOUSEHOLDS = {
    "rosalba": {**HOUSE, "ID_REGISTRO": "CAMPO-2024-000001", "NB_NOMBRE": "Rosalba",
                "NB_PRIMER_AP": "Hernández", "NB_SEGUNDO_AP": "Cruz", "NB_CURP": ROSALBA,
                "FH_NACIMIENTO": "1970-01-01", "TIPOVIAL": "PRIVADA",
                "NOMVIAL": "Prolongación de Ignacio Manuel Altamirano", "NUMEXTNUM1": "1234",
                "TIPOASEN": "COLONIA", "NOMASEN": "Reforma Agraria Integral",
                "DESCRUBIC": "Portón verde junto a la tienda de abarrotes",
                "LONGITUD": "-96.7212", "LATITUD": "17.0652"},
    "eulalia": {**HOUSE, "ID_REGISTRO": "CAMPO-2024-000002", "NB_NOMBRE": "Eulalia",
                "NB_PRIMER_AP": "Santiago", "NB_SEGUNDO_AP": "Vásquez", "NB_CURP": "",
                "LONGITUD": "-96.7230", "LATITUD": "17.0630"},
    "teodora": {**HOUSE, "ID_REGISTRO": "CAMPO-2024-000003", "NB_NOMBRE": "Teodora",
                "NB_PRIMER_AP": "Ruiz", "NB_SEGUNDO_AP": "Matías", "NB_CURP": "",
                "LONGITUD": "", "LATITUD": ""},
    "aurelio": {**HOUSE, "ID_REGISTRO": "CAMPO-2024-000004", "NB_NOMBRE": "Aurelio",
                "NB_PRIMER_AP": "Mendoza", "NB_SEGUNDO_AP": "Olmedo", "NB_CURP": "",
                "CD_SEXO": "H", "LONGITUD": "-96.7220", "LATITUD": "17.0640"},
}  # fmt: skip
PHONE = {"longitude": -96.7213, "latitude": 17.0651, "accuracy": 12}
"""Where the phone says it is: 15 m from Rosalba's croquis point, within 12 m."""


@pytest.fixture(scope="module")
def households(
    engine: Engine, access_data: AccessData, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, int]:
    write = roster_writer(tmp_path_factory.mktemp("campo-navegador"))
    result = ingest_file(engine, write(list(HOUSEHOLDS.values()), name="CAMP.csv"), "CAMP",
                         periodo="2024-T1")  # fmt: skip
    assert result.filas_rechazadas == 0, result.rechazos
    geocode(engine, result.carga_id)
    with engine.connect() as conn:
        ids = dict(
            conn.execute(
                text("SELECT folio, id FROM padron.registro WHERE carga_id = :c"),
                {"c": result.carga_id},
            ).all()
        )
    return {name: ids[row["ID_REGISTRO"]] for name, row in HOUSEHOLDS.items()}


@pytest.fixture(scope="module")
def field_url(engine: Engine, settings: Settings, households: dict[str, int]) -> Iterator[str]:
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def phone(browser: Any, width: int = 390, **extra: Any) -> Any:
    """A phone-sized context with the phone's position granted, in English on purpose."""
    return browser.new_context(
        viewport={"width": width, "height": 844 if width == 390 else 740},
        device_scale_factor=1, locale="en-US", timezone_id="America/Mexico_City",
        reduced_motion="reduce", geolocation=PHONE, permissions=["geolocation"], **extra,
    )  # fmt: skip


def log_in(page: Any, base: str, user: str = "campo_oax") -> None:
    page.goto(f"{base}/campo")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#entrar button")
    page.wait_for_selector("#trabajo:not([hidden])", timeout=10_000)


def search(page: Any, q: str) -> None:
    page.fill("input[name=q]", q)
    page.click("#buscar button")


def open_first(page: Any) -> None:
    page.wait_for_selector("#resultados button", timeout=10_000)
    page.locator("#resultados button").first.click()
    page.wait_for_selector("#ficha:not([hidden])", timeout=10_000)


def croquis_ready(page: Any) -> None:
    """The croquis has drawn everything it asked for: an ``idle`` after a forced repaint (a view
    just changed may not have requested its tiles yet), then the record's point is on it."""
    page.wait_for_function(
        "() => window.padronCroquis && window.padronCroquis.loaded()", timeout=30_000
    )
    page.evaluate(
        "() => new Promise((ok) => { const m = window.padronCroquis; m.once('idle', ok); "
        "m.triggerRepaint(); })"
    )
    page.wait_for_function(
        "() => window.padronCroquis && window.padronCroquis.loaded() && "
        "window.padronCroquis.areTilesLoaded() && "
        "window.padronCroquis.queryRenderedFeatures({layers: ['puntos']}).length > 0",
        timeout=30_000,
    )


def rendered(page: Any, layer: str) -> int:
    return int(
        page.evaluate(f"window.padronCroquis.queryRenderedFeatures({{layers: ['{layer}']}}).length")
    )


def overflow(page: Any) -> list[str]:
    """Visible elements that stick out of the viewport, or identifiers cut inside their box."""
    return list(
        page.evaluate(
            """() => {
              const width = window.innerWidth, out = [];
              if (document.documentElement.scrollWidth > width) out.push('page ' + document.documentElement.scrollWidth);
              for (const e of document.querySelectorAll('body *')) {
                const r = e.getBoundingClientRect();
                if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
                if (r.right > width + 0.5 || r.left < -0.5) out.push(`${e.tagName}#${e.id}.${e.className} ${r.left}-${r.right}`);
              }
              for (const e of document.querySelectorAll('dd, #resultados button')) {
                if (e.scrollWidth > e.clientWidth + 1) out.push('cut ' + e.textContent);
              }
              return out;
            }"""
        )
    )


@pytest.mark.parametrize("width", [360, 390])
def test_field_page_fits_a_phone_in_spanish(
    browser: Any, field_url: str, households: dict[str, int], width: int
) -> None:
    context = phone(browser, width)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda answer: answer.status >= 400 and errors.append(
        f"{answer.status} {answer.url}"))  # fmt: skip
    page.goto(f"{field_url}/campo")
    page.wait_for_selector("body[data-listo='1']")
    # Before logging in only the login form shows (form { display: flex } no longer beats hidden).
    assert page.locator("#entrar").is_visible()
    for hidden in ("#buscar", "#trabajo", "#ficha", "#salir", "#plan"):
        assert page.locator(hidden).is_hidden(), hidden
    assert overflow(page) == []
    assert_matches_baseline(page.screenshot(), f"campo-{width}-entrar")

    log_in(page, field_url)
    assert page.locator("#entrar").is_hidden() and page.locator("#buscar").is_visible()
    assert page.input_value("input[name=password]") == ""
    search(page, ROSALBA)
    open_first(page)
    page.wait_for_function("() => document.getElementById('posicion').textContent.includes('±12')")
    croquis_ready(page)
    # What staff read out is whole and inside the screen.
    for identifier in (
        ROSALBA,
        "CAMPO-2024-000001",
        "Prolongación de Ignacio Manuel Altamirano 1234",
    ):
        assert identifier in page.inner_text("#ficha-datos")
    assert overflow(page) == []
    # Spanish everywhere, the file chooser included: the native control stays invisible.
    body = page.inner_text("body")
    assert "Tomar o elegir foto" in body and "Ninguna foto elegida" in body
    assert not any(word in body for word in ("Choose File", "No file chosen", "Browse"))
    assert page.locator("#foto-archivo").bounding_box()["width"] <= 1
    assert "$1,750.50" in page.inner_text("#pagos")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    ficha = settled(lambda: page.locator("#ficha").screenshot())
    assert errors == []  # before the comparison: a failed tile would leave a hole in the croquis
    assert_matches_baseline(ficha, f"campo-{width}-ficha")
    context.close()


def test_croquis_has_the_service_basemap_scale_locality_record_and_phone(
    browser: Any, field_url: str, households: dict[str, int]
) -> None:
    context = phone(browser)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, field_url)
    search(page, "CAMPO-2024-000001")
    open_first(page)
    croquis_ready(page)
    page.wait_for_function(
        "() => window.padronCroquis.queryRenderedFeatures({layers: ['precision']}).length > 0",
        timeout=10_000,
    )
    # The basemap: locality polygons and municipal boundaries, vector tiles of this service.
    assert rendered(page, "localidades-area") > 0
    assert rendered(page, "localidad-declarada") > 0  # Oaxaca de Juárez's polygon, highlighted
    assert any("/teselas/localidades_poligonos/" in url for url in requests)
    assert any("/teselas/municipios/" in url for url in requests)
    assert all(url.startswith((field_url, "data:", "blob:")) for url in requests), requests
    assert rendered(page, "puntos") >= 1 and rendered(page, "telefono") == 1
    scale = page.locator(".maplibregl-ctrl-scale")
    assert scale.is_visible() and scale.inner_text().strip().endswith("m")
    assert "precisión ±12 m, a 15 m del punto del registro" in page.inner_text("#posicion")
    page.evaluate("window.padronCroquis.jumpTo({zoom: 10})")  # the municipal boundaries
    croquis_ready(page)
    assert rendered(page, "municipios") > 0
    context.close()


class _Tile(BaseHTTPRequestHandler):
    png = b""
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args: Any) -> None:
        pass


def test_croquis_draws_a_configured_street_basemap_under_the_places(
    browser: Any, engine: Engine, settings: Settings, households: dict[str, int]
) -> None:
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (250, 240, 200)).save(tile, "PNG")
    _Tile.png = tile.getvalue()
    streets = ThreadingHTTPServer(("127.0.0.1", 0), _Tile)
    threading.Thread(target=streets.serve_forever, daemon=True).start()
    basemap = f"http://127.0.0.1:{streets.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    try:
        with live_server(settings.model_copy(update={"basemap_url": basemap})) as url:
            context = phone(browser)
            page = context.new_page()
            log_in(page, url)
            search(page, "CAMPO-2024-000001")
            open_first(page)
            croquis_ready(page)
            layers = page.evaluate("window.padronCroquis.getStyle().layers.map((l) => l.id)")
            assert layers.index("calles") < layers.index("localidades-area")
            assert _Tile.seen and all(path.endswith(".png") for path in _Tile.seen)
            context.close()
    finally:
        streets.shutdown()


def _kept(engine: Engine, record: int) -> tuple[Any, ...] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT precision, precision_m FROM acceso.punto_verificado WHERE registro_id = :r"
            ),
            {"r": record},
        ).first()
    return None if row is None else tuple(row)


def test_saving_a_position_asks_shows_accuracy_and_distance_and_stays_honest(
    browser: Any, field_url: str, households: dict[str, int], engine: Engine
) -> None:
    context = phone(browser)
    context.set_geolocation({"longitude": -96.7230, "latitude": 17.0660, "accuracy": 350})
    page = context.new_page()
    log_in(page, field_url)
    search(page, "Eulalia Santiago")
    open_first(page)
    croquis_ready(page)
    page.wait_for_function("() => document.getElementById('posicion').textContent.includes('±350')")
    page.click("#usar-gps")
    page.wait_for_selector("#confirmar[open]")
    question = page.inner_text("#confirmar-texto")
    assert "±350 m, peor que el umbral de 30 m" in question
    assert "NO se guardará como punto verificado" in question
    assert "se mueve 334 m desde el punto actual del registro (croquis)" in question
    page.click("#confirmar button[value=si]")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('impreciso')"
    )
    assert "no reemplaza la ubicación" in page.inner_text("#mensaje")
    assert _kept(engine, households["eulalia"]) == ("campo_impreciso", 350)

    context.set_geolocation({"longitude": -96.72305, "latitude": 17.06305, "accuracy": 6})
    page.wait_for_function("() => document.getElementById('posicion').textContent.includes('±6')")
    page.click("#usar-gps")
    page.wait_for_selector("#confirmar[open]")
    assert "se guardará como punto verificado" in page.inner_text("#confirmar-texto")
    assert "se mueve 8 m" in page.inner_text("#confirmar-texto")
    page.click("#confirmar button[value=no]")  # cancelling saves nothing
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('No se guardó')"
    )
    assert _kept(engine, households["eulalia"]) == ("campo_impreciso", 350)
    page.click("#usar-gps")
    page.wait_for_selector("#confirmar[open]")
    page.click("#confirmar button[value=si]")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('Punto verificado')"
    )
    assert _kept(engine, households["eulalia"]) == ("verificado_campo", 6)
    context.close()


def _phone_photo(path: Path) -> Path:
    """A 4000 × 3000 camera-like JPEG over 5 MB (gradients, shapes and sensor noise)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000]
    picture = np.stack([x * 255 // 4000, y * 255 // 3000, (x + y) * 255 // 7000], axis=2)
    picture = picture + rng.normal(0, 28, picture.shape)
    Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=97)
    assert path.stat().st_size > 5 * 1024 * 1024
    return path


def _photos(engine: Engine, record: int) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [
            (int(b), a)
            for b, a in conn.execute(
                text("SELECT bytes, archivo FROM acceso.foto WHERE registro_id = :r ORDER BY id"),
                {"r": record},
            )
        ]


def test_a_photo_is_resized_on_the_phone_and_retried_with_progress(
    browser: Any, field_url: str, settings: Settings, households: dict[str, int], engine: Engine,
    tmp_path: Path,
) -> None:  # fmt: skip
    context = phone(browser)
    page = context.new_page()
    log_in(page, field_url)
    search(page, "Aurelio Mendoza")
    open_first(page)
    attempts: list[int] = []

    def first_fails(route: Any) -> None:
        attempts.append(len(route.request.post_data_buffer or b""))
        if len(attempts) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/campo/registros/*/fotos", first_fails)
    page.evaluate(
        """() => { window.avances = [];
          new MutationObserver(() => document.querySelectorAll('#pendientes progress')
            .forEach((p) => window.avances.push(p.value))).observe(document.getElementById('pendientes'),
            { subtree: true, childList: true, attributes: true }); }"""
    )
    page.set_input_files("#foto-archivo", str(_phone_photo(tmp_path / "IMG_0001.jpg")))
    assert page.inner_text("#foto-nombre") == "IMG_0001.jpg"
    page.click("#subir-foto button")
    page.wait_for_function(
        "() => document.getElementById('pendientes').textContent.includes('en espera de señal')",
        timeout=20_000,
    )
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('Foto de')", timeout=30_000
    )
    page.wait_for_function("() => document.getElementById('pendientes').hidden")
    assert len(attempts) == 2 and max(attempts) < 1024 * 1024  # sent under 1 MB, twice
    assert page.evaluate("window.avances.length") > 0
    [(_, name)] = _photos(engine, households["aurelio"])
    stored = Image.open(settings.photo_dir / name)
    assert max(stored.size) <= 1600 and stored.size[0] > stored.size[1]
    context.close()


def test_work_without_signal_then_send_on_return(
    browser: Any, field_url: str, households: dict[str, int], engine: Engine, tmp_path: Path
) -> None:
    context = phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, field_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    # The visit plan of the day: Oaxaca de Juárez (the only municipality of campo_oax).
    page.click("#plan summary")
    page.wait_for_selector("#plan-localidades input[value='200670001']", timeout=10_000)
    page.check("#plan-localidades input[value='200670001']")
    page.click("#plan-descargar")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('Plan guardado')"
    )
    assert "Teodora Ruiz Matías" in page.inner_text("#resultados")
    page.wait_for_selector("body[data-teselas='1']", timeout=60_000)  # the plan's tiles are kept

    context.set_offline(True)
    page.reload()  # the page itself now comes from the service worker
    page.wait_for_selector("body[data-listo='1']", timeout=10_000)
    assert page.locator("#red").is_visible() and page.locator("#trabajo").is_visible()
    [worker] = context.service_workers  # it has no network either: the page came from its cache
    assert worker.evaluate("fetch('/campo/sw.js').then(() => 'red', () => 'sin red')") == "sin red"
    search(page, "teodora matias")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('plan de visita')"
    )
    open_first(page)
    assert page.locator("#ficha-origen").is_visible()
    assert "CAMPO-2024-000003" in page.inner_text("#ficha-datos")
    croquis_ready(page)
    assert rendered(page, "localidades-area") > 0  # the basemap without signal
    context.set_geolocation({"longitude": -96.7260, "latitude": 17.0610, "accuracy": 9})
    page.wait_for_function("() => document.getElementById('posicion').textContent.includes('±9')")
    page.click("#usar-gps")
    page.wait_for_selector("#confirmar[open]")
    page.click("#confirmar button[value=si]")
    page.set_input_files("#foto-archivo", str(_phone_photo(tmp_path / "IMG_0002.jpg")))
    page.click("#subir-foto button")
    page.wait_for_function(
        "() => document.querySelectorAll('#pendientes li').length === 2", timeout=20_000
    )
    queued = page.inner_text("#pendientes")
    assert "Posición de Teodora Ruiz Matías (±9 m)" in queued and "Foto de Teodora" in queued
    record = households["teodora"]
    assert _kept(engine, record) is None and _photos(engine, record) == []

    context.set_offline(False)  # the signal returns: the queue goes, checked and audited
    page.wait_for_function("() => document.getElementById('pendientes').hidden", timeout=30_000)
    assert _kept(engine, record) == ("verificado_campo", 9)
    assert len(_photos(engine, record)) == 1
    with engine.connect() as conn:
        actions = conn.scalars(
            text(
                "SELECT accion FROM acceso.auditoria WHERE registro_id = :r AND usuario = 'campo_oax'"
            ),
            {"r": record},
        ).all()
        measured, arrived = conn.execute(
            text("SELECT medido_en, en FROM acceso.punto_verificado WHERE registro_id = :r"),
            {"r": record},
        ).one()
    assert {"plan_de_visita", "verificar_punto", "subir_foto"} <= set(actions)
    assert measured < arrived  # the fix's own time travelled with it

    # Closing the tab does not log out: a new tab is still in.
    page.close()
    page = context.new_page()
    page.goto(f"{field_url}/campo")
    page.wait_for_selector("#trabajo:not([hidden])", timeout=10_000)
    assert "domicilios" in page.inner_text("#plan-resumen")
    # Logging out wipes what the phone kept.
    page.click("#salir")
    page.wait_for_selector("#entrar:not([hidden])")
    kept = page.evaluate(
        """async () => ({ claves: await idbKeyval.keys(idbKeyval.createStore('padron-campo', 'datos')),
                          sesion: localStorage.getItem('padronSesion') })"""
    )
    assert kept == {"claves": [], "sesion": None}
    assert errors == []
    context.close()


def test_unsent_work_outlives_an_expired_token_but_not_the_plan(
    browser: Any, field_url: str, households: dict[str, int], engine: Engine
) -> None:
    context = phone(browser)
    page = context.new_page()
    log_in(page, field_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    page.click("#plan summary")
    page.wait_for_selector("#plan-localidades input[value='200670001']", timeout=10_000)
    page.check("#plan-localidades input[value='200670001']")
    page.click("#plan-descargar")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('Plan guardado')"
    )
    search(page, "Rosalba Hernández")
    open_first(page)
    context.set_offline(True)
    context.set_geolocation({"longitude": -96.72125, "latitude": 17.06515, "accuracy": 4})
    page.wait_for_function("() => document.getElementById('posicion').textContent.includes('±4')")
    page.click("#usar-gps")
    page.wait_for_selector("#confirmar[open]")
    page.click("#confirmar button[value=si]")
    page.wait_for_selector("#pendientes li")
    # The working day ends offline: the token expires before the signal returns.
    page.evaluate(
        """() => { const s = JSON.parse(localStorage.getItem('padronSesion'));
                   s.expira = new Date(Date.now() - 1000).toISOString();
                   localStorage.setItem('padronSesion', JSON.stringify(s)); }"""
    )
    page.reload()
    page.wait_for_selector("#entrar:not([hidden])")
    context.set_offline(False)
    assert "entre de nuevo para enviar 1 pendiente(s)" in page.inner_text("#mensaje")
    stored = page.evaluate(
        "async () => await idbKeyval.keys(idbKeyval.createStore('padron-campo', 'datos'))"
    )
    assert "plan" not in stored and any(key.startswith("cola:") for key in stored)
    assert _kept(engine, households["rosalba"]) is None
    page.fill("input[name=username]", "campo_oax")
    page.fill("input[name=password]", PASSWORD)
    page.click("#entrar button")
    page.wait_for_function(
        "() => document.getElementById('mensaje').textContent.includes('Punto verificado')"
    )
    assert _kept(engine, households["rosalba"]) == ("verificado_campo", 4)
    context.close()
