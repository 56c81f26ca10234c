"""FastAPI application factory. ``app = create_app()`` exists only for uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors, security
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
from api.tiles import TileService
from geo.kernel.db import fill_pool, make_engine
from geo.publish.tiles import TileCache

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created in the lifespan and disposed at shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A fixed pool, opened now: no request pays for a connection (an overflow connection
        # would be opened and closed per request under load). JIT compilation costs more than
        # it saves on the short statements a request runs (125 ms of a 279 ms tile).
        engine = make_engine(
            resolve_database_url(settings),
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout,
            connect_args={"options": "-c jit=off"},
        )
        fill_pool(engine, settings.db_pool_size)
        app.state.engine = engine
        app.state.teselas = TileService(
            engine,
            TileCache(int(settings.tile_cache_mb * 2**20)),
            settings.tile_cache_max_zoom,
            settings.tile_version_seconds,
        )
        yield
        engine.dispose()

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
    return app
