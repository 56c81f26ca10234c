"""Per-client rate limit for the public endpoints.

A fixed one-minute window per client address, in process memory. Hand-written rather than
slowapi because it is a dozen lines, typed, and needs no decorator on each route; behind
several workers or a proxy, put the limit in the proxy as well (each worker counts alone). The
dependencies are asynchronous (they do no I/O): on the event loop they cost a tile request no
trip to the thread pool, which nearly halved the throughput of cached tiles.
"""

from __future__ import annotations

import threading
import time

from fastapi import HTTPException, Request

from api.deps import SettingsDep


class MinuteWindow:
    """Counts requests per key in the current minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minute = 0
        self._counts: dict[str, int] = {}

    def hit(self, key: str, limit: int) -> int:
        """Count one request; returns seconds to wait when over the limit, else 0."""
        now = time.time()
        minute = int(now // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._counts = minute, {}
            count = self._counts[key] = self._counts.get(key, 0) + 1
        return 0 if count <= limit else 60 - int(now % 60)


async def public_rate_limit(request: Request, settings: SettingsDep) -> None:
    """Dependency: 429 with ``Retry-After`` once a client exceeds the per-minute limit."""
    _limit(request, "api", settings.public_requests_per_minute)


async def tile_rate_limit(request: Request, settings: SettingsDep) -> None:
    """Tiles have their own, larger budget: one map view asks for dozens of them."""
    _limit(request, "teselas", settings.public_tiles_per_minute)


def _limit(request: Request, budget: str, limit: int) -> None:
    window: MinuteWindow = request.app.state.rate_window
    client = request.client.host if request.client else "desconocido"
    wait = window.hit(f"{budget}:{client}", limit)
    if wait:
        raise HTTPException(
            429,
            "Demasiadas solicitudes; espere un momento e intente de nuevo.",
            {"Retry-After": str(wait)},
        )
