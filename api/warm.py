"""The gap ranking's tables kept in memory: read when the app starts, and again in the
background within :data:`WARM_SECONDS` of each coverage refresh, wherever it ran (an upload
here, or ``padron cobertura refrescar`` elsewhere), so that no request pays for reading them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from geo.coverage.queries import warm_gaps

WARM_SECONDS = 1.0
"""How often a process looks at the refresh stamps of ``analisis`` (one small query)."""

log = logging.getLogger("padron.api")


@contextlib.asynccontextmanager
async def gaps_kept_warm(engine: Engine) -> AsyncIterator[None]:
    """Warm the gap tables now, then keep them warm while the app runs."""
    await _warm(engine)
    task = asyncio.create_task(_keep_warm(engine))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _keep_warm(engine: Engine) -> None:
    while True:
        await asyncio.sleep(WARM_SECONDS)
        await _warm(engine)


async def _warm(engine: Engine) -> None:
    # A database away for a moment (or not migrated yet) costs the first request its read,
    # nothing more: the next tick tries again.
    try:
        await run_in_threadpool(warm_gaps, engine)
    except SQLAlchemyError as error:
        log.debug("gap tables not warmed: %s", type(error).__name__)
