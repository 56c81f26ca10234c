"""The interactive API documentation (Swagger UI and ReDoc), served with their scripts from
``/static/vendor`` rather than a CDN: many state offices and field laptops have no internet,
and there FastAPI's default pages are blank.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
REDOC = "/static/vendor/redoc-2.5.4"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI."""
    root, app = _root(request), request.app
    return get_swagger_ui_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} — API",
        swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc, in the browser's own fonts (FastAPI's page would load Google Fonts)."""
    root, app = _root(request), request.app
    return get_redoc_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} — API",
        redoc_js_url=f"{root}{REDOC}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
        with_google_fonts=False,
    )


def _root(request: Request) -> str:
    """The prefix the app is mounted under behind a proxy (as FastAPI's own docs routes do)."""
    return str(request.scope.get("root_path", "")).rstrip("/")
