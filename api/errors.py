"""The one place where library exceptions become HTTP responses."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import openapi
from geo.kernel.errors import ClusterError, DataCheckFailed, InvalidParameter, NotFound, PadronError

log = logging.getLogger("padron.api")

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

STATUS_BY_ERROR: dict[type[PadronError], int] = {
    InvalidParameter: 400,
    NotFound: 404,
    DataCheckFailed: 422,
    ClusterError: 503,
}


class Problema(BaseModel):
    """Un parámetro o campo rechazado por la validación."""

    model_config = ConfigDict(extra="forbid")

    campo: str = Field(description="Parámetro o campo (vacío si es la solicitud entera).")
    problema: str = Field(description="Qué está mal en el valor recibido.")


class Error(BaseModel):
    """Respuesta de error de cualquier ruta: qué salió mal, sin datos personales."""

    model_config = ConfigDict(extra="forbid")

    detalle: str = Field(description="Qué salió mal, en español.")
    errores: list[Problema] | None = Field(
        default=None, description="Solo con 422 por validación: cada campo y su problema."
    )


def _header(description: str, kind: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


ERRORS: dict[int, dict[str, Any]] = {
    400: {
        "description": "Solicitud no válida: un valor fuera de lo admitido, o caracteres de "
        "control en la ruta o los parámetros."
    },
    401: {
        "description": "Falta el token de acceso, o no es válido o ya venció.",
        "headers": {"WWW-Authenticate": _header("Siempre `Bearer`.", "string")},
    },
    403: {"description": "El rol o el área del usuario no dan acceso a este recurso."},
    404: {"description": "No existe lo pedido (o está fuera del área del usuario)."},
    413: {"description": "El archivo excede el tamaño máximo configurado."},
    422: {
        "description": "Parámetros o cuerpo no válidos (cada campo en `errores`), o datos que "
        "no pasan las verificaciones."
    },
    429: {
        "description": "Demasiadas solicitudes de este cliente en el minuto en curso.",
        "headers": {"Retry-After": _header("Segundos que faltan para reintentar.", "integer")},
    },
    503: {"description": "La base de datos no pudo atender la solicitud; intente más tarde."},
}
"""What each error status means for every route that declares it (OpenAPI ``responses``)."""


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of these error statuses, each with the :class:`Error` body (as
    JSON also on routes that answer a page or a file)."""
    return {status: {"content": openapi.content(Error), **ERRORS[status]} for status in statuses}


def install(app: FastAPI) -> None:
    """Register handlers: library errors by class, validation errors in Spanish, never a trace.

    Every body is an :class:`Error`, the model the routes declare for their error statuses."""

    @app.exception_handler(PadronError)
    async def padron_error(_: Request, exc: PadronError) -> JSONResponse:
        status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
        return _answer(Error(detalle=str(exc)), status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _answer(Error(detalle=exc.detail), exc.status_code, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problema(
                campo=".".join(
                    str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")
                ),
                problema=error.get("msg", ""),
            )
            for error in exc.errors()
        ]
        return _answer(Error(detalle="Parámetros no válidos.", errores=problems), 422)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # Never echo SQL or values (they may hold personal data); log only the error class.
        log.error("database error on %s: %s", request.url.path, type(exc.orig).__name__)
        detalle = "La base de datos no pudo atender la solicitud; intente más tarde."
        return _answer(Error(detalle=detalle), 503)

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, _: PoolTimeout) -> JSONResponse:
        # Every connection of the process's fixed pool stayed busy for PADRON_DB_POOL_TIMEOUT.
        log.error("no free database connection for %s", request.url.path)
        detalle = "El servicio está ocupado; intente de nuevo en unos segundos."
        return _answer(Error(detalle=detalle), 503, {"Retry-After": "5"})


def _answer(body: Error, status: int, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


async def reject_control_characters(request: Request) -> None:
    """No filter or key legitimately holds control characters, and PostgreSQL refuses NUL in
    text: refuse them for every route at once rather than in each parameter's validation.
    Asynchronous because it does no I/O: a plain function would cost every request a trip to
    the thread pool."""
    values = [request.url.path, *request.query_params.keys(), *request.query_params.values()]
    if any(CONTROL_CHARACTERS.search(value) for value in values):
        raise StarletteHTTPException(400, "La solicitud contiene caracteres de control.")
