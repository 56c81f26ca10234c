"""The one place where library exceptions become HTTP responses."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def install(app: FastAPI) -> None:
    """Register handlers: library errors by class, validation errors in Spanish, never a trace."""

    @app.exception_handler(PadronError)
    async def padron_error(_: Request, exc: PadronError) -> JSONResponse:
        status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        )
        return JSONResponse({"detalle": str(exc)}, status_code=status, headers=headers)

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
                "problema": problem_in_spanish(error),
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
        if isinstance(exc.orig, psycopg.DataError):
            # A value PostgreSQL cannot hold (out of range, malformed): the request's fault.
            # Validation refuses these first, naming the field; this is the backstop.
            return JSONResponse(
                {"detalle": "Un valor de la solicitud está fuera de lo que se puede guardar."},
                status_code=422,
            )
        return JSONResponse(
            {"detalle": "La base de datos no pudo atender la solicitud; intente más tarde."},
            status_code=503,
        )


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
