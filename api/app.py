"""FastAPI application factory. ``app = create_app()`` exists only for uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, security
from api.middleware import SecurityHeaders
from api.ratelimit import MinuteWindow, public_rate_limit, tile_rate_limit
from api.routers import (
    admin,
    campo,
    cargas,
    cobertura,
    geografia,
    mapa,
    reglas,
    resolucion,
    salud,
    teselas,
    transparencia,
    ubicacion,
)
from api.settings import Settings, resolve_database_url
from geo.kernel.db import make_engine

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created in the lifespan and disposed at shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(resolve_database_url(settings))
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="Padrón Único de Beneficiarios — Oaxaca",
        description=(
            "Registro único, georreferenciado, de beneficiarios de programas sociales. "
            "Geografía: Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020. "
            "Marginación: Fuente: CONAPO, Índices de marginación 2010–2020. Datos filtrados y "
            "transformados por este proyecto."
        ),
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        dependencies=[Depends(errors.reject_control_characters)],
    )
    app.state.settings = settings
    app.state.rate_window = MinuteWindow()
    errors.install(app)
    app.include_router(salud.router)
    public = [Depends(public_rate_limit)]
    app.include_router(geografia.router, dependencies=public)
    app.include_router(teselas.router, dependencies=[Depends(tile_rate_limit)])
    app.include_router(cargas.router)
    app.include_router(resolucion.router, dependencies=public)
    app.include_router(ubicacion.router, dependencies=public)
    app.include_router(mapa.router)
    app.include_router(security.router)
    app.include_router(campo.router)
    app.include_router(transparencia.router)
    app.include_router(admin.router)
    app.include_router(cobertura.router, dependencies=public)
    app.include_router(reglas.router, dependencies=public)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders, basemap_url=settings.basemap_url)
    if settings.trusted_proxies:
        # Outermost: the client address every layer sees (rate limits, audit) is the one the
        # configured proxies forwarded; from anyone else the headers are ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
