"""Typed dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection

from api.settings import Settings


def get_connection(request: Request) -> Iterator[Connection]:
    """A connection from the app's engine for the duration of one request (read-only work)."""
    with request.app.state.engine.connect() as conn:
        yield conn


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


ConnDep = Annotated[Connection, Depends(get_connection)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
