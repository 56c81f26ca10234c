"""Download a state's INEGI and CONAPO reference products into a local cache.

The publishers' servers are slow, drop connections on large files and answer a dead link with
``200`` and an HTML page, so a download retries with exponential backoff, resumes with ``Range``,
refuses HTML and damaged zips, and is verified against a SHA-256: the one pinned in the catalogue
or, when none is pinned, the one recorded in ``checksums.lock.json`` on the first download (trust
on first use). A file reaches its final name only after it passed every check.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from boundaries.catalog import Catalog, Product, State, load_catalog
from geo.kernel.checksums import sha256_of
from geo.kernel.errors import InvalidParameter, PadronError
from geo.kernel.progress import Progress, silent

LOCK_FILE = "checksums.lock.json"
"""Checksums recorded on first download, in the cache directory."""

_USER_AGENT = "padron-unico/0.1 (boundaries.fetch)"
_RETRY_STATUS = frozenset({408, 429})
_ZIP_UTF8_FLAG = 0x800

log = logging.getLogger(__name__)


class FetchError(PadronError):
    """A product could not be downloaded or failed verification; the message says which and why."""


class _Retryable(Exception):
    """A failure worth another attempt: connection error, cut response, 5xx."""


class _WrongContent(Exception):
    """The server answered 200 with something that is not the product."""


@dataclass(frozen=True)
class FetchedFile:
    """A verified product file in the cache, and the folder it was extracted to."""

    product: str
    cve_ent: str
    path: Path
    sha256: str
    url: str
    from_cache: bool
    extracted_to: Path | None
    attribution: str


def fetch_state(
    cve_ent: str | int,
    cache_dir: Path,
    products: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    client: httpx.Client | None = None,
    *,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    progress: Progress | None = None,
) -> list[FetchedFile]:
    """Download (or find in ``cache_dir``) the products of one state and verify them.

    Parameters
    ----------
    cve_ent
        State key ``'01'``…``'32'``; ``7`` or ``'7'`` mean ``'07'``.
    cache_dir
        Cache root: files go to ``<cache_dir>/<product>/``, zips are extracted next to them and
        checksums are recorded in ``<cache_dir>/checksums.lock.json``.
    products
        Catalogue keys; by default every product that can be downloaded automatically.
    catalog, client
        Defaults: the shipped ``catalog.toml`` and a new ``httpx.Client`` closed on return.
    max_attempts, backoff_seconds
        Attempts per URL and the first wait between them (doubled after each failure).
    progress
        Told the bytes of each product as they arrive (a step per product).
    """
    if max_attempts < 1 or backoff_seconds < 0:
        raise InvalidParameter("max_attempts debe ser ≥ 1 y backoff_seconds ≥ 0.")
    catalog = catalog or load_catalog()
    state = catalog.state(cve_ent)
    chosen = _choose(catalog, products)
    cache_dir.mkdir(parents=True, exist_ok=True)
    lock = _Lock(cache_dir / LOCK_FILE)
    http = client or httpx.Client(
        timeout=httpx.Timeout(60.0, connect=20.0), headers={"User-Agent": _USER_AGENT}
    )
    retry = _Retry(max_attempts, backoff_seconds)
    try:
        return [
            _fetch_product(http, product, state, cache_dir, lock, retry, progress or silent)
            for product in chosen
        ]
    finally:
        if client is None:
            http.close()


@dataclass(frozen=True)
class _Retry:
    max_attempts: int
    backoff_seconds: float


_Bytes = Callable[[int, int | None], None]
"""Told the bytes of a download so far, and its size once known."""


def _choose(catalog: Catalog, keys: Sequence[str] | None) -> list[Product]:
    if keys is None:
        return [p for p in catalog.products.values() if not p.manual]
    chosen = [catalog.product(key) for key in dict.fromkeys(keys)]
    for product in chosen:
        if product.manual:
            raise FetchError(
                f"{product.name} ({product.publisher}) no se descarga automáticamente. "
                f"Licencia: {product.license}. El operador debe bajarlo de {product.urls[0]} "
                "y entregar el archivo al cargador."
            )
    return chosen


def _fetch_product(
    http: httpx.Client,
    product: Product,
    state: State,
    cache_dir: Path,
    lock: _Lock,
    retry: _Retry,
    progress: Progress,
) -> FetchedFile:
    def received(done: int, total: int | None) -> None:
        progress(f"Descarga de {product.key}", done, total, "bytes")

    target = cache_dir / product.key / product.file_name(state)
    rel = target.relative_to(cache_dir).as_posix()
    pinned = product.sha256.get(target.name)
    expected = pinned or lock.sha256(rel)
    if target.exists():
        digest = sha256_of(target)
        if expected in (None, digest):
            if expected is None:
                lock.record(rel, digest, "", target.stat().st_size)
            log.info("%s ya está en caché y su suma coincide.", rel)
            received(target.stat().st_size, target.stat().st_size)
            url = lock.url(rel) or product.urls_for(state)[0]
            return _result(product, state, target, digest, url, from_cache=True)
        log.warning("%s en caché no coincide con su suma registrada; se descarga de nuevo.", rel)
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    url, part = _download_any(http, product, state, target, retry, received)
    received(part.stat().st_size, part.stat().st_size)
    digest = sha256_of(part)
    if expected is not None and digest != expected:
        part.unlink()
        origin, fix = (
            ("fijada en el catálogo", "boundaries/catalog.toml")
            if pinned
            else (
                f"registrada en {LOCK_FILE} en la primera descarga",
                f"borre la entrada {rel!r} de {lock.path}",
            )
        )
        raise FetchError(
            f"La suma SHA-256 de {rel} (de {url}) no coincide con la {origin}: se esperaba "
            f"{expected} y se obtuvo {digest}. El archivo descargado se descartó. Si el editor "
            f"publicó una versión nueva, verifíquela y después {fix}."
        )
    os.replace(part, target)
    for leftover in target.parent.glob(f"{target.name}.*.part"):
        leftover.unlink()
    lock.record(rel, digest, url, target.stat().st_size)
    return _result(product, state, target, digest, url, from_cache=False)


def _result(
    product: Product, state: State, path: Path, digest: str, url: str, *, from_cache: bool
) -> FetchedFile:
    return FetchedFile(
        product=product.key,
        cve_ent=state.cve_ent,
        path=path,
        sha256=digest,
        url=url,
        from_cache=from_cache,
        extracted_to=_extract(path, digest) if product.extract else None,
        attribution=product.attribution,
    )


def _download_any(
    http: httpx.Client,
    product: Product,
    state: State,
    target: Path,
    retry: _Retry,
    received: _Bytes,
) -> tuple[str, Path]:
    """Try each URL of the product in turn; return the one that worked and its ``.part`` file."""
    errors = []
    for url in product.urls_for(state):
        # One partial file per URL: bytes from two servers must never be joined.
        tag = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:8]
        part = target.with_name(f"{target.name}.{tag}.part")
        try:
            _download(http, url, part, retry, received)
            _check_content(part, product, url)
        except FetchError as exc:
            errors.append(str(exc))
            continue
        except _WrongContent as exc:
            part.unlink()
            errors.append(str(exc))
            continue
        return url, part
    raise FetchError(
        f"No se pudo obtener {product.key} ({product.name}) para {state.nombre}: "
        + " | ".join(errors)
    )


def _download(http: httpx.Client, url: str, part: Path, retry: _Retry, received: _Bytes) -> None:
    failures = 0
    while True:
        try:
            _transfer(http, url, part, received)
            return
        except _Retryable as exc:
            failures += 1
            if failures >= retry.max_attempts:
                raise FetchError(
                    f"{url}: falló {failures} veces, la última por {exc}; se conserva lo "
                    f"descargado en {part.name} para reanudar después."
                ) from exc
            delay = retry.backoff_seconds * 2 ** (failures - 1)
            log.warning("%s: %s; reintento %d en %.1f s.", url, exc, failures, delay)
            time.sleep(delay)


def _transfer(http: httpx.Client, url: str, part: Path, received: _Bytes) -> None:
    """One GET, resuming from the bytes already in ``part``."""
    offset = part.stat().st_size if part.exists() else 0
    # Identity encoding: Range offsets then count the bytes we store.
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        with http.stream("GET", url, headers=headers, follow_redirects=True) as response:
            status = response.status_code
            if status >= 500 or status in _RETRY_STATUS:
                raise _Retryable(f"HTTP {status}")
            if status == 416 and offset:
                part.unlink()
                raise _Retryable("HTTP 416: la descarga parcial ya no corresponde al archivo")
            if status == 206 and offset:
                if _range_start(response.headers.get("Content-Range")) != offset:
                    part.unlink()
                    raise _Retryable("el servidor devolvió otro tramo del archivo")
                mode = "ab"
            elif status == 200:
                mode = "wb"  # a fresh download, or a server that ignores Range
            else:
                raise FetchError(f"{url} respondió HTTP {status}.")
            length = response.headers.get("Content-Length")
            start = offset if mode == "ab" else 0
            size = start + int(length) if length is not None and length.isdigit() else None
            written = 0
            with part.open(mode) as out:
                # No chunk size: a fixed one buffers bytes that a cut connection would lose.
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    written += len(chunk)
                    received(start + written, size)
    except httpx.TransportError as exc:
        raise _Retryable(f"error de conexión ({type(exc).__name__}: {exc})") from exc
    if length is not None and length.isdigit() and written < int(length):
        raise _Retryable(f"respuesta incompleta ({written} de {length} bytes)")


def _range_start(content_range: str | None) -> int | None:
    """First byte of ``Content-Range: bytes START-END/TOTAL``."""
    if not content_range or not content_range.startswith("bytes "):
        return None
    start = content_range[6:].split("-", 1)[0]
    return int(start) if start.isdigit() else None


def _check_content(part: Path, product: Product, url: str) -> None:
    with part.open("rb") as handle:
        head = handle.read(1024).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise _WrongContent(
            f"{url} devolvió una página HTML en lugar del archivo (el INEGI responde así a las "
            "ligas que ya no existen)."
        )
    if product.extract:
        if not zipfile.is_zipfile(part):
            raise _WrongContent(f"{url} no devolvió un archivo zip.")
        with zipfile.ZipFile(part) as archive:
            broken = archive.testzip()
        if broken is not None:
            raise _WrongContent(f"{url}: el zip está dañado (miembro {broken}).")


def _extract(archive: Path, digest: str) -> Path:
    """Extract into a folder named after the zip; skipped when that zip was already extracted."""
    dest = archive.with_suffix("")
    marker = dest / ".sha256"
    if marker.is_file() and marker.read_text(encoding="ascii").strip() == digest:
        return dest
    staging = dest.with_name(dest.name + ".extrayendo")
    shutil.rmtree(staging, ignore_errors=True)
    root = staging.resolve()
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            out = (staging / _member_name(info)).resolve()
            if not out.is_relative_to(root):
                raise FetchError(
                    f"{archive.name}: el miembro {info.filename!r} sale de la carpeta."
                )
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, out.open("wb") as sink:
                shutil.copyfileobj(source, sink)
    staging.mkdir(exist_ok=True)
    (staging / ".sha256").write_text(digest, encoding="ascii")
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    return dest


def _member_name(info: zipfile.ZipInfo) -> str:
    """INEGI's zips store Latin-1 names without the UTF-8 flag (``léeme.pdf``); undo cp437."""
    if info.flag_bits & _ZIP_UTF8_FLAG:
        return info.filename
    return info.filename.encode("cp437").decode("latin-1")


class _Lock:
    """``checksums.lock.json``: the first verified SHA-256 of every unpinned file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            files = json.loads(self.path.read_text(encoding="utf-8"))["files"]
            if not isinstance(files, dict):
                raise TypeError("'files' no es un objeto")
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(
                f"{self.path} está dañado ({exc}); revíselo antes de borrarlo, porque contiene "
                "las sumas con que se verifican las descargas."
            ) from exc
        return files

    def sha256(self, rel: str) -> str | None:
        entry = self.entries.get(rel)
        return str(entry["sha256"]) if entry else None

    def url(self, rel: str) -> str:
        entry = self.entries.get(rel)
        return str(entry.get("url", "")) if entry else ""

    def record(self, rel: str, digest: str, url: str, size: int) -> None:
        if self.entries.get(rel, {}).get("sha256") == digest:
            return
        self.entries[rel] = {
            "sha256": digest,
            "url": url,
            "bytes": size,
            "registrado": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        staging = self.path.with_name(self.path.name + ".tmp")
        payload = {"version": 1, "files": self.entries}
        staging.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(staging, self.path)
