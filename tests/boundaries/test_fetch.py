"""Downloads against a real HTTP server on 127.0.0.1 that fails, cuts and honours Range."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from boundaries.catalog import STATE_KEYS, Catalog, load_catalog, normalize_cve_ent
from boundaries.fetch import LOCK_FILE, FetchedFile, FetchError, fetch_state
from geo.kernel.errors import InvalidParameter
from tests.progress import Recorder

PAYLOAD = bytes(range(256)) * 200  # 51,200 bytes, big enough to cut in the middle


@dataclass
class Behaviour:
    """What the server does, per path; every request is logged with its Range header."""

    files: dict[str, bytes] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)
    cut_first: dict[str, int] = field(default_factory=dict)
    ignore_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour

    def do_GET(self) -> None:
        b = self.server.behaviour  # type: ignore[attr-defined]
        b.requests.append((self.path, self.headers.get("Range")))
        if b.fail_first.get(self.path, 0) > 0:
            b.fail_first[self.path] -= 1
            self.send_error(503, "Service Unavailable")
            return
        body = b.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and not b.ignore_range:
            start = int(match.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        chunk = body[start:]
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        cut = b.cut_first.pop(self.path, None)
        # Announce the full length, send part of it, hang up: the client sees a short read.
        self.wfile.write(chunk if cut is None else chunk[:cut])
        if cut is not None:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.behaviour = behaviour  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviour
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def make_catalog(tmp_path: Path, products: str) -> Catalog:
    """A catalogue file with the real state table and test products."""
    states = "\n".join(
        f'"{s.cve_ent}" = {{ nombre = "{s.nombre}", slug = "{s.slug}" }}'
        for s in load_catalog().states.values()
    )
    path = tmp_path / "catalog.toml"
    path.write_text(f"{products}\n[states]\n{states}\n", encoding="utf-8")
    return load_catalog(path)


def product(key: str, urls: list[str], *, extract: bool = False, sha256: str = "") -> str:
    pinned = (
        f'\n[products.{key}.sha256]\n"{urls[0].rsplit("/", 1)[1]}" = "{sha256}"' if sha256 else ""
    )
    return f"""
[products.{key}]
publisher = "Prueba"
name = "Producto {key}"
license = "Libre"
license_url = "http://127.0.0.1/licencia"
attribution = "Fuente: Prueba, {key}."
scope = "estatal"
extract = {str(extract).lower()}
urls = {json.dumps(urls)}
seen_in = ["generado por la prueba"]{pinned}
"""


def fetch(tmp_path: Path, catalog: Catalog, **kwargs: Any) -> list[FetchedFile]:
    return fetch_state("20", tmp_path / "cache", catalog=catalog, backoff_seconds=0.01, **kwargs)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_records_checksum_in_lock(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/iter_20.csv"] = PAYLOAD
    catalog = make_catalog(tmp_path, product("iter", [base + "/iter_{cve_ent}.csv"]))

    [got] = fetch(tmp_path, catalog)

    assert got.path == tmp_path / "cache" / "iter" / "iter_20.csv"
    assert got.path.read_bytes() == PAYLOAD
    assert (got.sha256, got.from_cache, got.cve_ent) == (sha(PAYLOAD), False, "20")
    assert got.attribution == "Fuente: Prueba, iter."
    lock = json.loads((tmp_path / "cache" / LOCK_FILE).read_text(encoding="utf-8"))
    assert lock["files"]["iter/iter_20.csv"]["sha256"] == sha(PAYLOAD)
    assert lock["files"]["iter/iter_20.csv"]["url"] == base + "/iter_20.csv"
    assert not list(got.path.parent.glob("*.part"))


def test_cache_hit_makes_no_request(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/iter_20.csv"] = PAYLOAD
    catalog = make_catalog(tmp_path, product("iter", [base + "/iter_{cve_ent}.csv"]))
    fetch(tmp_path, catalog)
    before = len(behaviour.requests)

    [again] = fetch(tmp_path, catalog)

    assert len(behaviour.requests) == before
    assert again.from_cache and again.sha256 == sha(PAYLOAD)
    assert again.url == base + "/iter_20.csv"


def test_resumes_with_range_after_a_cut(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/mg.zip.bin"] = PAYLOAD
    behaviour.cut_first["/mg.zip.bin"] = 20_000
    catalog = make_catalog(tmp_path, product("mg", [base + "/mg.zip.bin"]))

    [got] = fetch(tmp_path, catalog)

    assert got.path.read_bytes() == PAYLOAD
    assert behaviour.requests == [("/mg.zip.bin", None), ("/mg.zip.bin", "bytes=20000-")]


def test_progress_counts_bytes_across_a_resume_and_from_the_cache(
    server: tuple[str, Behaviour], tmp_path: Path
) -> None:
    base, behaviour = server
    behaviour.files["/mg.bin"] = PAYLOAD
    behaviour.cut_first["/mg.bin"] = 20_000
    catalog = make_catalog(tmp_path, product("mg", [base + "/mg.bin"]))
    recorder = Recorder()

    fetch(tmp_path, catalog, progress=recorder)

    assert recorder.finished() == {"Descarga de mg": (len(PAYLOAD), "bytes")}
    received = recorder.counts("Descarga de mg")
    assert 0 < received[0] <= 20_000 and 20_000 in received  # the cut, then the resumed rest
    assert {total for *_, total, _ in recorder.calls} == {len(PAYLOAD)}
    cached = Recorder()
    fetch(tmp_path, catalog, progress=cached)
    assert cached.calls == [("Descarga de mg", len(PAYLOAD), len(PAYLOAD), "bytes")]


def test_restarts_when_server_ignores_range(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/mg.bin"] = PAYLOAD
    behaviour.cut_first["/mg.bin"] = 20_000
    behaviour.ignore_range = True  # answers 200 with the whole file: must not be appended
    catalog = make_catalog(tmp_path, product("mg", [base + "/mg.bin"]))

    [got] = fetch(tmp_path, catalog)

    assert got.path.read_bytes() == PAYLOAD
    assert behaviour.requests[1] == ("/mg.bin", "bytes=20000-")


def test_retries_after_503(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/imm.xls"] = PAYLOAD
    behaviour.fail_first["/imm.xls"] = 2
    catalog = make_catalog(tmp_path, product("imm", [base + "/imm.xls"]))

    [got] = fetch(tmp_path, catalog)

    assert got.path.read_bytes() == PAYLOAD
    assert len(behaviour.requests) == 3


def test_retries_are_bounded_then_next_url(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/nuevo/imm.xls"] = PAYLOAD
    behaviour.files["/viejo/imm.xls"] = PAYLOAD
    behaviour.fail_first["/nuevo/imm.xls"] = 99
    urls = [base + "/nuevo/imm.xls", base + "/viejo/imm.xls"]
    catalog = make_catalog(tmp_path, product("imm", urls))

    [got] = fetch(tmp_path, catalog, max_attempts=3)

    assert got.url == base + "/viejo/imm.xls"
    assert [p for p, _ in behaviour.requests].count("/nuevo/imm.xls") == 3


def test_gives_up_with_a_spanish_message(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/imm.xls"] = PAYLOAD
    behaviour.fail_first["/imm.xls"] = 99
    catalog = make_catalog(tmp_path, product("imm", [base + "/imm.xls", base + "/falta.xls"]))

    with pytest.raises(FetchError) as info:
        fetch(tmp_path, catalog, max_attempts=2)

    message = str(info.value)
    assert "No se pudo obtener imm" in message and "Oaxaca" in message
    assert "falló 2 veces" in message and "HTTP 503" in message
    assert "respondió HTTP 404" in message


def test_pinned_checksum_mismatch_names_file_and_hashes(
    server: tuple[str, Behaviour], tmp_path: Path
) -> None:
    base, behaviour = server
    behaviour.files["/iml.bin"] = PAYLOAD
    wrong = "0" * 64
    catalog = make_catalog(tmp_path, product("iml", [base + "/iml.bin"], sha256=wrong))

    with pytest.raises(FetchError) as info:
        fetch(tmp_path, catalog)

    message = str(info.value)
    assert "iml/iml.bin" in message and wrong in message and sha(PAYLOAD) in message
    assert "fijada en el catálogo" in message
    assert not (tmp_path / "cache" / "iml" / "iml.bin").exists()
    assert not list((tmp_path / "cache" / "iml").glob("*.part"))


def test_pinned_checksum_match_is_accepted(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/iml.bin"] = PAYLOAD
    catalog = make_catalog(tmp_path, product("iml", [base + "/iml.bin"], sha256=sha(PAYLOAD)))

    [got] = fetch(tmp_path, catalog)

    assert got.sha256 == sha(PAYLOAD)


def test_changed_file_fails_against_lock(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/iter_20.csv"] = PAYLOAD
    catalog = make_catalog(tmp_path, product("iter", [base + "/iter_{cve_ent}.csv"]))
    [first] = fetch(tmp_path, catalog)
    first.path.unlink()
    behaviour.files["/iter_20.csv"] = PAYLOAD[::-1]  # the publisher replaced the file

    with pytest.raises(FetchError) as info:
        fetch(tmp_path, catalog)

    message = str(info.value)
    assert sha(PAYLOAD) in message and sha(PAYLOAD[::-1]) in message
    assert LOCK_FILE in message and "iter/iter_20.csv" in message


def test_corrupted_cache_is_downloaded_again(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/iter_20.csv"] = PAYLOAD
    catalog = make_catalog(tmp_path, product("iter", [base + "/iter_{cve_ent}.csv"]))
    [first] = fetch(tmp_path, catalog)
    first.path.write_bytes(b"basura")

    [again] = fetch(tmp_path, catalog)

    assert not again.from_cache and again.path.read_bytes() == PAYLOAD


def test_zip_is_extracted_into_product_folder(
    server: tuple[str, Behaviour], tmp_path: Path
) -> None:
    base, behaviour = server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("conjunto_de_datos/20mun.shp", b"shp")
        archive.writestr("conjunto_de_datos/20mun.dbf", b"dbf")
        archive.writestr("lXeme.txt", b"aviso")
    # INEGI's zips store "léeme" in Latin-1 without the UTF-8 flag; zipfile cannot write that.
    behaviour.files["/20_oaxaca.zip"] = buffer.getvalue().replace(b"lXeme", b"l\xe9eme")
    catalog = make_catalog(tmp_path, product("mg", [base + "/{cve_ent}_{slug}.zip"], extract=True))

    [got] = fetch(tmp_path, catalog)

    folder = tmp_path / "cache" / "mg" / "20_oaxaca"
    assert got.extracted_to == folder
    assert (folder / "conjunto_de_datos" / "20mun.shp").read_bytes() == b"shp"
    assert (folder / "léeme.txt").read_bytes() == b"aviso"
    [again] = fetch(tmp_path, catalog)
    assert again.from_cache and again.extracted_to == folder


def test_html_page_instead_of_zip_is_refused(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, behaviour = server
    behaviour.files["/20_oaxaca.zip"] = b"<!DOCTYPE html><html><body>Esta liga ya no existe</body>"
    catalog = make_catalog(tmp_path, product("mg", [base + "/{cve_ent}_{slug}.zip"], extract=True))

    with pytest.raises(FetchError, match="página HTML"):
        fetch(tmp_path, catalog)

    assert not (tmp_path / "cache" / LOCK_FILE).exists()


@pytest.mark.parametrize("bad", ["33", "00", "abc", 0, 40, "", "2O"])
def test_bad_state_key_lists_allowed_values(tmp_path: Path, bad: object) -> None:
    with pytest.raises(InvalidParameter) as info:
        fetch_state(bad, tmp_path, products=[])  # type: ignore[arg-type]

    message = str(info.value)
    assert "Clave de entidad inválida" in message and "01, 02" in message and "32" in message


@pytest.mark.parametrize(("given", "key"), [(20, "20"), ("7", "07"), (" 9 ", "09"), ("32", "32")])
def test_state_key_is_padded(given: str | int, key: str) -> None:
    assert normalize_cve_ent(given) == key


def test_manual_product_explains_operator_download(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no se descarga automáticamente") as info:
        fetch_state("20", tmp_path, products=["sepomex"])

    assert "correosdemexico.gob.mx" in str(info.value)


def test_unknown_product_lists_products(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="iml2020"):
        fetch_state("20", tmp_path, products=["nada"])


def test_shipped_catalog_renders_every_state() -> None:
    catalog = load_catalog()

    assert set(catalog.states) == set(STATE_KEYS)
    assert {"mg2020", "iter2020", "imm2020", "imu2020", "iml2020"} <= set(catalog.products)
    for item in catalog.products.values():
        assert item.attribution.startswith("Fuente:") and item.license and item.seen_in
        for state in catalog.states.values():
            for url in item.urls_for(state):
                assert url.startswith("http") and "{" not in url
    mg = catalog.product("mg2020")
    assert mg.file_name(catalog.state(20)) == "20_oaxaca.zip"
    assert catalog.product("iter2020").file_name(catalog.state(7)) == "iter_07_cpv2020_csv.zip"


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    catalog = make_catalog(tmp_path, product("imm", [f"http://127.0.0.1:{port}/imm.xls"]))

    with pytest.raises(FetchError, match="falló 2 veces, la última por error de conexión"):
        fetch(tmp_path, catalog, max_attempts=2)
