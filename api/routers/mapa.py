"""The browser map (Spanish): municipalities by marginality grade and locality points."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import templates

router = APIRouter(tags=["páginas"])


@router.get(
    "/mapa",
    response_class=HTMLResponse,
    summary="Mapa",
    description="Municipios por grado de marginación, localidades y la vista de cobertura por "
    "programa y periodo; su estilo (`/mapa/estilo.json`) trae las teselas vectoriales de "
    "`/teselas`.",
    response_description="La página (HTML).",
)
def mapa(request: Request) -> HTMLResponse:
    """Map page; its style (``/mapa/estilo.json``) brings the vector tiles of ``/teselas``."""
    return templates.TemplateResponse(request, "mapa.html")


@router.get("/favicon.ico", include_in_schema=False)
def favicon(request: Request) -> RedirectResponse:
    """The project's icon: a browser asks for ``/favicon.ico`` on every document that names none
    (the API's JSON, the OGC collections read in a browser), and answered 404 otherwise."""
    return RedirectResponse(request.url_for("static", path="campo-icono-192.png"), status_code=301)
