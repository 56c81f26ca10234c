"""The browser map (Spanish): municipalities by marginality grade and locality points."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import templates

router = APIRouter(tags=["mapa"], include_in_schema=False)


@router.get("/", response_class=RedirectResponse)
def inicio() -> RedirectResponse:
    """The landing page is the map."""
    return RedirectResponse("/mapa")


@router.get("/mapa", response_class=HTMLResponse)
def mapa(request: Request) -> HTMLResponse:
    """Map page; its style (``/mapa/estilo.json``) brings the vector tiles of ``/teselas``."""
    return templates.TemplateResponse(request, "mapa.html")
