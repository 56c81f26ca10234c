"""FastAPI application factory. ``app = create_app()`` exists only for uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, openapi, security
from api.middleware import SecurityHeaders
from api.models.cobertura import CoberturaGeoJSON
from api.models.geografia import LocalidadesGeoJSON, MunicipiosGeoJSON
from api.models.ogc import ElementoOGC, ElementosOGC
from api.models.transparencia import ConteosGeoJSON
from api.ratelimit import MinuteWindow, public_rate_limit, tile_rate_limit
from api.routers import (
    admin,
    campo,
    cargas,
    cobertura,
    docs,
    geografia,
    mapa,
    ogc,
    reglas,
    resolucion,
    salud,
    teselas,
    transparencia,
    ubicacion,
)
from api.settings import Settings, resolve_database_url
from api.tiles import TileService
from api.warm import gaps_kept_warm
from geo.kernel.db import async_pool, fill_pool, make_engine
from geo.publish.tiles import TileCache

STATIC_DIR = Path(__file__).parent / "static"
TAGS = [
    {"name": name, "description": description}
    for name, description in {
        "salud": "Estado del servicio.",
        "geografía": "Municipios y localidades de INEGI con su marginación (CONAPO).",
        "mapa": "Teselas vectoriales de las capas públicas del mapa.",
        "cobertura": "Cobertura de los programas por área y localidades priorizadas: solo "
        "agregados.",
        "reglas y anomalías": "Reglas de operación, sus violaciones, anomalías y simulación de "
        "programas nuevos.",
        "resolución": "Apoyos duplicados y la cola de revisión de pares dudosos.",
        "ubicación": "Verificación de un punto en campo.",
        "transparencia": "Datos públicos con supresión de conteos pequeños; sin sesión y con "
        "límite por minuto.",
        "acceso": "Tokens de acceso (OAuth2).",
        "campo": "Búsqueda, fichas, puntos verificados y fotos de beneficiarios: datos "
        "personales, dentro del área del usuario y con bitácora.",
        "cargas": "Carga de padrones (administración).",
        "administración": "Bitácora de auditoría y panel de control.",
        "ogc": "OGC API – Features: las capas públicas para QGIS, GDAL y clientes OGC, y sus "
        "descargas (CSV, GeoJSON, GeoPackage).",
        "páginas": "Las páginas en español (HTML).",
    }.items()
]
"""The OpenAPI tags, in the order the documentation shows them."""


NO_JIT = "-c jit=off"
"""JIT compilation costs more than it saves on the short statements a request runs (125 ms of a
279 ms tile)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created in the lifespan and disposed at shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Fixed pools, opened now: no request pays for a connection (an overflow connection
        # would be opened and closed per request under load). Tiles, the busiest path, and the
        # field check, the one a phone waits on, share an asynchronous pool of their own: one
        # statement each on the event loop, without the thread pool or a transaction.
        url = resolve_database_url(settings)
        engine = make_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout,
            connect_args={"options": NO_JIT},
        )
        fill_pool(engine, settings.db_pool_size)
        app.state.engine = engine
        reads = async_pool(url, settings.tile_pool_size, settings.db_pool_timeout, NO_JIT)
        await reads.open(wait=True)
        app.state.lecturas = reads
        app.state.teselas = TileService(
            engine,
            reads,
            TileCache(int(settings.tile_cache_mb * 2**20)),
            settings.tile_cache_max_zoom,
            settings.tile_version_seconds,
        )
        async with gaps_kept_warm(engine):
            yield
        await reads.close()
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
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        dependencies=[Depends(errors.reject_control_characters)],
        responses=errors.responses(400),
    )
    app.state.settings = settings
    app.state.rate_window = MinuteWindow()
    errors.install(app)
    app.include_router(salud.router)
    app.include_router(docs.router)
    limited = errors.responses(429)
    public = [Depends(public_rate_limit)]
    app.include_router(geografia.router, dependencies=public, responses=limited)
    app.include_router(teselas.router, dependencies=[Depends(tile_rate_limit)], responses=limited)
    app.include_router(cargas.router)
    app.include_router(resolucion.router, dependencies=public, responses=limited)
    app.include_router(ubicacion.router, dependencies=public, responses=limited)
    app.include_router(mapa.router)
    app.include_router(ogc.router, dependencies=public, responses=limited)
    app.include_router(security.router)
    app.include_router(campo.router)
    app.include_router(transparencia.router)
    app.include_router(admin.router)
    app.include_router(cobertura.router, dependencies=public, responses=limited)
    app.include_router(reglas.router, dependencies=public, responses=limited)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders, basemap_url=settings.basemap_url)
    if settings.trusted_proxies:
        # Outermost: the client address every layer sees (rate limits, audit) is the one the
        # configured proxies forwarded; from anyone else the headers are ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    openapi.add_components(
        app,
        [
            errors.Error,
            MunicipiosGeoJSON,
            LocalidadesGeoJSON,
            CoberturaGeoJSON,
            ConteosGeoJSON,
            ElementosOGC,
            ElementoOGC,
        ],
    )
    return app
