"""Typed dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.templating import Jinja2Templates
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Connection

from api.settings import Settings
from geo.publish.publication import published_k


def get_connection(request: Request) -> Iterator[Connection]:
    """A connection from the app's engine for the duration of one request (read-only work)."""
    with request.app.state.engine.connect() as conn:
        yield conn


async def get_read_pool(request: Request) -> AsyncConnectionPool:
    """The asynchronous pool for one-statement reads on the event loop (tiles, field checks)."""
    pool: AsyncConnectionPool = request.app.state.lecturas
    return pool


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (asynchronous: no trip to the thread pool)."""
    settings: Settings = request.app.state.settings
    return settings


ConnDep = Annotated[Connection, Depends(get_connection)]
ReadPoolDep = Annotated[AsyncConnectionPool, Depends(get_read_pool)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

Desplazamiento = Annotated[
    int, Query(ge=0, le=2**31 - 1, description="Elementos a saltar (paginación).")
]
"""Pagination offset, bounded so that PostgreSQL's OFFSET never overflows (found by fuzzing)."""

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
"""The Spanish pages (``api/templates``), shared by the routers that render them."""


def threshold(conn: Connection, settings: Settings) -> int:
    """The k the publication was built with (the configured one before the first build)."""
    return published_k(conn) or settings.k_anonimato
