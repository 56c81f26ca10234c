"""The browser map (Spanish): municipalities by marginality grade and locality points."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SettingsDep, templates

router = APIRouter(tags=["mapa"], include_in_schema=False)


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
