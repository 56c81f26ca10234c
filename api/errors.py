"""The one place where library exceptions become HTTP responses."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout as AsyncPoolTimeout
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import openapi
from geo.kernel.errors import (
    ClusterError,
    DataCheckFailed,
    InvalidParameter,
    NotFound,
    PadronError,
    TooManyAttempts,
)

log = logging.getLogger("padron.api")

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

STATUS_BY_ERROR: dict[type[PadronError], int] = {
    InvalidParameter: 400,
    NotFound: 404,
    DataCheckFailed: 422,
    TooManyAttempts: 429,
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
        "control en la ruta, los parámetros o un campo del cuerpo (el mensaje nombra el campo)."
    },
    401: {
        "description": "Falta el token de acceso, o no es válido o ya venció.",
        "headers": {"WWW-Authenticate": _header("Siempre `Bearer`.", "string")},
    },
    403: {"description": "El rol o el área del usuario no dan acceso a este recurso."},
    404: {"description": "No existe lo pedido (o está fuera del área del usuario)."},
    413: {"description": "El archivo excede el tamaño máximo configurado."},
    422: {
        "description": "Parámetros o cuerpo no válidos (cada campo en `errores`), un valor que "
        "la base de datos no puede guardar, o datos que no pasan las verificaciones."
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
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        )
        return _answer(Error(detalle=str(exc)), status, headers)

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
                problema=problem_in_spanish(error),
            )
            for error in exc.errors()
        ]
        return _answer(Error(detalle="Parámetros no válidos.", errores=problems), 422)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        return _database_error(request, exc.orig)

    @app.exception_handler(psycopg.Error)
    async def driver_error(request: Request, exc: psycopg.Error) -> JSONResponse:
        # Raised as is where a route uses psycopg without SQLAlchemy (tiles, the field check).
        return _database_error(request, exc)

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, _: PoolTimeout) -> JSONResponse:
        return _busy(request)

    @app.exception_handler(AsyncPoolTimeout)
    async def async_pool_exhausted(request: Request, _: AsyncPoolTimeout) -> JSONResponse:
        return _busy(request)


def _database_error(request: Request, orig: BaseException | None) -> JSONResponse:
    # Never echo SQL or values (they may hold personal data); log only the error class.
    log.error("database error on %s: %s", request.url.path, type(orig).__name__)
    if isinstance(orig, psycopg.DataError):
        # A value PostgreSQL cannot hold (out of range, malformed): the request's fault.
        # Validation refuses these first, naming the field; this is the backstop.
        detalle = "Un valor de la solicitud está fuera de lo que se puede guardar."
        return _answer(Error(detalle=detalle), 422)
    detalle = "La base de datos no pudo atender la solicitud; intente más tarde."
    return _answer(Error(detalle=detalle), 503)


def _busy(request: Request) -> JSONResponse:
    # Every connection of a process's fixed pool stayed busy for PADRON_DB_POOL_TIMEOUT.
    log.error("no free database connection for %s", request.url.path)
    detalle = "El servicio está ocupado; intente de nuevo en unos segundos."
    return _answer(Error(detalle=detalle), 503, {"Retry-After": "5"})


def _answer(body: Error, status: int, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


async def reject_control_characters(request: Request) -> None:
    """No filter, key or form field legitimately holds control characters, and PostgreSQL
    refuses NUL in text: refuse them for every route at once, naming the field, rather than in
    each parameter's validation. Bodies are read here once (Starlette caches them for the
    route); files of a form are left to their own checks."""
    if CONTROL_CHARACTERS.search(request.url.path):
        raise StarletteHTTPException(400, "La ruta de la solicitud contiene caracteres de control.")
    fields = list(request.query_params.multi_items())
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None:
        pass  # a route that takes no body never reads one: neither does this check
    elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        fields += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    elif kind == "application/json" or kind.endswith("+json"):
        with contextlib.suppress(ValueError, RecursionError):  # not JSON: the route says 422
            fields += list(_strings(json.loads(await request.body())))
    for name, value in fields:
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            raise StarletteHTTPException(
                400, f"El campo «{_shown(name)}» contiene caracteres de control."
            )


def _strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a JSON document with its path (``a.b.0``), keys included."""
    if isinstance(value, str):
        yield path or "cuerpo", value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _shown(name: str) -> str:
    """A field name fit for a message: control characters escaped, length bounded."""
    return CONTROL_CHARACTERS.sub("?", name)[:60]


_PROBLEMS = {
    "missing": "falta este campo",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "finite_number": "debe ser un número finito",
    "bool_parsing": "debe ser verdadero o falso",
    "bool_type": "debe ser verdadero o falso",
    "string_type": "debe ser texto",
    "list_type": "debe ser una lista",
    "dict_type": "debe ser un objeto",
    "model_type": "debe ser un objeto",
    "model_attributes_type": "debe ser un objeto",
    "json_invalid": "no es JSON válido",
    "extra_forbidden": "campo no admitido",
    "datetime_parsing": "debe ser una fecha y hora ISO 8601",
    "datetime_from_date_parsing": "debe ser una fecha y hora ISO 8601",
    "date_parsing": "debe ser una fecha ISO 8601",
    "enum": "valor no admitido; use uno de: {expected}",
    "literal_error": "valor no admitido; use uno de: {expected}",
    "greater_than": "debe ser mayor que {gt}",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "less_than": "debe ser menor que {lt}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "string_too_short": "debe tener al menos {min_length} caracteres",
    "string_too_long": "admite hasta {max_length} caracteres",
    "too_short": "debe tener al menos {min_length} elementos",
    "too_long": "admite hasta {max_length} elementos",
    "string_pattern_mismatch": "no tiene la forma esperada",
    "url_parsing": "no es una URL válida",
}
"""pydantic's error types in Spanish (its own messages are English); others say "no válido"."""


def problem_in_spanish(error: Any) -> str:
    """What is wrong with one field, in Spanish, with the bounds of the rule it broke."""
    template = _PROBLEMS.get(str(error.get("type", "")), "valor no válido")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(";")[0].split(" {")[0]
