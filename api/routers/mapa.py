"""The browser map (Spanish): municipalities by marginality grade and locality points."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.deps import SettingsDep

router = APIRouter(tags=["mapa"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


@router.get("/", response_class=RedirectResponse)
def inicio() -> RedirectResponse:
    """The landing page is the map."""
    return RedirectResponse("/mapa")


@router.get("/mapa", response_class=HTMLResponse)
def mapa(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Map page; data arrive as vector tiles from ``/teselas``."""
    return templates.TemplateResponse(
        request, "mapa.html", {"basemap_url": settings.basemap_url or ""}
    )
