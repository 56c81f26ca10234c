"""Serving tiles over HTTP: the data version, the cache of hot tiles, and the HTTP caching and
compression rules, kept out of the router so that it stays thin.

Everything a tile request does happens on the event loop: the data version and cache hits from
memory, a tile built by one statement on an asynchronous connection from a pool of its own
(autocommit, no ping on checkout). The few reads done once per data version (the version
itself, the extent, the default period) go through the engine in the thread pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from geo.coverage.queries import default_period
from geo.kernel.db import fetch_one
from geo.publish.tiles import (
    EncodedTile,
    TileCache,
    bounds,
    data_version,
    layer,
    programs_filter,
    tile_query,
)

Bounds = tuple[float, float, float, float]

IMMUTABLE = "public, max-age=31536000, immutable"
"""For a URL that names the current data version: its bytes never change."""

REVALIDATE = "public, no-cache"
"""For a URL without the version (or an old one): reuse only after checking the ETag."""


T = TypeVar("T")


@dataclass
class TileService:
    """One per app: the engine, the tiles' connection pool, the tile cache, and the data version
    read at most once per ``version_seconds``."""

    engine: Engine
    pool: AsyncConnectionPool
    cache: TileCache
    cache_max_zoom: int
    version_seconds: float
    _version: str = ""
    _read_at: float = float("-inf")
    _per_version: dict[Callable[[Connection], object], tuple[str, object]] = field(
        default_factory=dict
    )

    async def version(self) -> str:
        """The data version, read again once ``version_seconds`` have passed."""
        now = time.monotonic()
        if now - self._read_at >= self.version_seconds:
            if self._version:  # meanwhile, concurrent requests keep the current one
                self._read_at = now
            self._version = await run_in_threadpool(self._read, data_version)
            self._read_at = now
        return self._version

    async def bounds(self, version: str) -> Bounds | None:
        """The extent of the loaded states."""
        return await self._once(version, bounds)

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
        if periodo is None and layer(capa).coverage:
            periodo = await self._once(version, default_period)
        built = tile_query(capa, z, x, y, periodo=periodo, programas=programas)
        raw = await fetch_one(self.pool, built.statement, built.params) if built else None
        encoded = EncodedTile.of(bytes(raw or b""))
        if cacheable:
            self.cache.put(version, key, encoded)
        return encoded

    async def _once(self, version: str, read: Callable[[Connection], T]) -> T:
        """``read``'s answer for ``version``, read once per data version."""
        kept = self._per_version.get(read)
        if kept is None or kept[0] != version:
            kept = self._per_version[read] = (
                version,
                await run_in_threadpool(self._read, read),
            )
        return cast(T, kept[1])

    def _read(self, read: Callable[[Connection], T]) -> T:
        # Autocommit spares the BEGIN and ROLLBACK round trips of a single read.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return read(conn)


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
