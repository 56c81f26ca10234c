"""Serving tiles over HTTP: the data version, the cache of hot tiles, and the HTTP caching and
compression rules, kept out of the router so that it stays thin.

Version and cache hits are answered on the event loop; only a database round trip goes to the
thread pool, once per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from geo.publish.tiles import (
    EncodedTile,
    TileCache,
    bounds,
    data_version,
    programs_filter,
    tile,
)

Bounds = tuple[float, float, float, float]

IMMUTABLE = "public, max-age=31536000, immutable"
"""For a URL that names the current data version: its bytes never change."""

REVALIDATE = "public, no-cache"
"""For a URL without the version (or an old one): reuse only after checking the ETag."""


@dataclass
class TileService:
    """One per app: the engine, the tile cache, and the data version read at most once per
    ``version_seconds``."""

    engine: Engine
    cache: TileCache
    cache_max_zoom: int
    version_seconds: float
    _version: str = ""
    _read_at: float = float("-inf")
    _bounds: tuple[str, Bounds | None] = ("", None)

    async def version(self) -> str:
        """The data version, read again once ``version_seconds`` have passed."""
        now = time.monotonic()
        if now - self._read_at >= self.version_seconds:
            if self._version:  # meanwhile, concurrent requests keep the current one
                self._read_at = now
            self._version = await run_in_threadpool(self._read_version)
            self._read_at = now
        return self._version

    def _connect(self) -> Connection:
        """A connection for one read-only statement: autocommit spares the BEGIN and ROLLBACK
        round trips (half the time of a small tile)."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _read_version(self) -> str:
        with self._connect() as conn:
            return data_version(conn)

    async def bounds(self, version: str) -> Bounds | None:
        """The extent of the loaded states, read once per data version."""
        if self._bounds[0] != version:
            self._bounds = (version, await run_in_threadpool(self._read_bounds))
        return self._bounds[1]

    def _read_bounds(self) -> Bounds | None:
        with self._connect() as conn:
            return bounds(conn)

    async def tile(
        self,
        version: str,
        capa: str,
        z: int,
        x: int,
        y: int,
        periodo: str | None,
        programas: list[str] | None,
    ) -> EncodedTile:
        """The tile, from the cache when it is a hot one, else built (and cached if low-zoom)."""
        key = (capa, z, x, y, periodo, tuple(programs_filter(programas) or ()))
        cacheable = z <= self.cache_max_zoom and self.cache.max_bytes > 0
        if cacheable and (hit := self.cache.get(version, key)) is not None:
            return hit
        built = await run_in_threadpool(self._build, capa, z, x, y, periodo, programas)
        if cacheable:
            self.cache.put(version, key, built)
        return built

    def _build(
        self, capa: str, z: int, x: int, y: int, periodo: str | None, programas: list[str] | None
    ) -> EncodedTile:
        with self._connect() as conn:
            raw = tile(conn, capa, z, x, y, periodo=periodo, programas=programas)
        return EncodedTile.of(raw)


def etag(version: str) -> str:
    """A weak validator: the same for the plain and the compressed bytes of one version."""
    return f'W/"{version}"'


def not_modified(if_none_match: str | None, version: str) -> bool:
    """Whether the client's ``If-None-Match`` already names ``version`` (or ``*``)."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or f'"{version}"' in tags


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*`` without ``q=0``)."""
    for item in (accept_encoding or "").lower().split(","):
        name, _, params = item.partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            quality = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(quality) > 0
            except ValueError:
                return False
    return False
