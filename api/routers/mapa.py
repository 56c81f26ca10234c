"""The browser map (Spanish): municipalities by marginality grade and locality points."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SettingsDep, templates

router = APIRouter(tags=["páginas"])


@router.get(
    "/",
    response_class=RedirectResponse,
    status_code=307,
    summary="Inicio",
    description="La página de inicio es el mapa: redirige a `/mapa`.",
    response_description="Redirección a `/mapa`.",
)
def inicio() -> RedirectResponse:
    """The landing page is the map."""
    return RedirectResponse("/mapa")


@router.get(
    "/mapa",
    response_class=HTMLResponse,
    summary="Mapa",
    description="Municipios por grado de marginación, localidades y la vista de cobertura por "
    "programa y periodo; los datos llegan como teselas vectoriales de `/teselas`.",
    response_description="La página (HTML).",
)
def mapa(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Map page; data arrive as vector tiles from ``/teselas``."""
    return templates.TemplateResponse(
        request, "mapa.html", {"basemap_url": settings.basemap_url or ""}
    )
