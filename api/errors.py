"""The one place where library exceptions become HTTP responses."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.kernel.errors import ClusterError, DataCheckFailed, InvalidParameter, NotFound, PadronError

log = logging.getLogger("padron.api")

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

STATUS_BY_ERROR: dict[type[PadronError], int] = {
    InvalidParameter: 400,
    NotFound: 404,
    DataCheckFailed: 422,
    ClusterError: 503,
}


def install(app: FastAPI) -> None:
    """Register handlers: library errors by class, validation errors in Spanish, never a trace."""

    @app.exception_handler(PadronError)
    async def padron_error(_: Request, exc: PadronError) -> JSONResponse:
        status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
        return JSONResponse({"detalle": str(exc)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detalle": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "campo": ".".join(
                    str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")
                ),
                "problema": error.get("msg", ""),
            }
            for error in exc.errors()
        ]
        return JSONResponse(
            {"detalle": "Parámetros no válidos.", "errores": problems}, status_code=422
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # Never echo SQL or values (they may hold personal data); log only the error class.
        log.error("database error on %s: %s", request.url.path, type(exc.orig).__name__)
        return JSONResponse(
            {"detalle": "La base de datos no pudo atender la solicitud; intente más tarde."},
            status_code=503,
        )

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, _: PoolTimeout) -> JSONResponse:
        # Every connection of the process's fixed pool stayed busy for PADRON_DB_POOL_TIMEOUT.
        log.error("no free database connection for %s", request.url.path)
        return JSONResponse(
            {"detalle": "El servicio está ocupado; intente de nuevo en unos segundos."},
            status_code=503,
            headers={"Retry-After": "5"},
        )


async def reject_control_characters(request: Request) -> None:
    """No filter or key legitimately holds control characters, and PostgreSQL refuses NUL in
    text: refuse them for every route at once rather than in each parameter's validation.
    Asynchronous because it does no I/O: a plain function would cost every request a trip to
    the thread pool."""
    values = [request.url.path, *request.query_params.keys(), *request.query_params.values()]
    if any(CONTROL_CHARACTERS.search(value) for value in values):
        raise StarletteHTTPException(400, "La solicitud contiene caracteres de control.")
