"""The published OpenAPI document as the oracle of every API test.

:class:`ContractClient` is the ``TestClient`` of the API tests: each answer it receives is checked
by :class:`Contract` against ``GET /openapi.json`` of the same app. The body is validated
(Draft 2020-12, the dialect of OpenAPI 3.1) against the schema that the route declares for that
status and media type: by jsonschema-rs, compiled, and for the report of a failure by jsonschema,
whose best match names the field (in Python alone, the large GeoJSON answers' every position
made most of the suite's time). Hand-written around jsonschema rather than schemathesis'
response check because that check passes an answer whose status or JSON schema the route does not
declare, which is exactly what this contract must refuse.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema_rs
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import compile_path
from starlette.types import Message, Receive, Scope, Send

DOCUMENT = "urn:padron:openapi"
JSON_MEDIA = re.compile(r"^application/([\w.+-]+\+)?json$")
OWN_PATHS = {"/openapi.json"}
"""Answers that are the contract itself."""


class ContractViolation(AssertionError):
    """An answer the published OpenAPI document does not allow."""


class Contract:
    """What the OpenAPI document allows each operation to answer."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._routes = [(compile_path(path)[0], path) for path in document["paths"]]
        self._registry: Registry[Any] = Registry().with_resource(
            DOCUMENT, Resource(contents=document, specification=DRAFT202012)
        )
        self._compiled = jsonschema_rs.Registry(
            [(DOCUMENT, document)], draft=jsonschema_rs.Draft202012
        )
        self._validators: dict[
            str, tuple[jsonschema_rs.Draft202012Validator, Draft202012Validator]
        ] = {}

    def check(
        self, method: str, path: str, status: int, content_type: str | None, body: bytes
    ) -> None:
        """Raise :class:`ContractViolation` unless the document allows this answer."""
        media = (content_type or "").split(";")[0].strip().lower()
        is_json = bool(JSON_MEDIA.match(media))
        template = self._template(path)
        operation = self.document["paths"].get(template, {}).get(method.lower())
        where = f"{method} {template or path} → {status} {media or '(sin cuerpo)'}"
        if operation is None:
            # Static files and the interactive docs are not operations; an unknown path or
            # method must still answer the shared error body.
            if is_json and path not in OWN_PATHS:
                if status not in (404, 405):
                    raise ContractViolation(f"{where}: JSON de una ruta no publicada")
                self._validate(where, body, "#/components/schemas/Error")
            return
        responses = operation["responses"]
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None
        )
        if key is None:
            raise ContractViolation(f"{where}: estado no declarado ({', '.join(responses)})")
        if not body:
            return
        declared = responses[key].get("content", {})
        if media not in declared:
            raise ContractViolation(f"{where}: tipo de medio no declarado ({', '.join(declared)})")
        if is_json:
            if not declared[media].get("schema"):
                raise ContractViolation(f"{where}: respuesta JSON sin esquema declarado")
            pointer = "/".join(
                part.replace("~", "~0").replace("/", "~1")
                for part in ("paths", template, method.lower(), "responses", key, "content", media)
            )
            self._validate(where, body, f"#/{pointer}/schema")

    def _template(self, path: str) -> str | None:
        """The first path template that matches, in the document's (the router's) order."""
        return next((template for regex, template in self._routes if regex.match(path)), None)

    def _validate(self, where: str, body: bytes, pointer: str) -> None:
        validators = self._validators.get(pointer)
        if validators is None:
            validators = self._validators[pointer] = (
                jsonschema_rs.Draft202012Validator(
                    {"$ref": DOCUMENT + quote(pointer, safe="#/~+")},  # a URI: "{" escaped
                    registry=self._compiled,
                    validate_formats=True,
                ),
                Draft202012Validator(
                    {"$ref": DOCUMENT + pointer},
                    registry=self._registry,
                    format_checker=Draft202012Validator.FORMAT_CHECKER,
                ),
            )
        compiled, reporting = validators
        instance = json.loads(body)
        if compiled.is_valid(instance):
            return
        error = best_match(reporting.iter_errors(instance))
        if error is None:  # the two validators disagree: the contract is not enforced
            raise ContractViolation(f"{where}: jsonschema-rs lo rechaza, jsonschema no")
        at = "/".join(str(p) for p in error.absolute_path) or "(raíz)"
        message = textwrap.shorten(error.message, 300)
        raise ContractViolation(f"{where}: el cuerpo no cumple el esquema en {at}: {message}")


class ContractClient(TestClient):
    """A ``TestClient`` whose every answer (redirects included) must match the app's published
    OpenAPI document; server errors come back as 500 answers, never as exceptions."""

    def __init__(self, app: FastAPI, **kwargs: Any) -> None:
        super().__init__(app, raise_server_exceptions=False, **kwargs)
        self.contract = Contract(self.get("/openapi.json").json())
        self.event_hooks["response"].append(self._check)

    def _check(self, response: httpx.Response) -> None:
        response.read()
        self.contract.check(
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.headers.get("content-type"),
            response.content,
        )


class CheckedApp:
    """An ASGI app whose every answer is checked against its published OpenAPI document, for a
    live server (the browser tests): what the pages fetch must match the contract too.
    Violations are collected, since raising inside the server would only show as a broken page."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.violations: list[str] = []
        self._contract: Contract | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        if self._contract is None:
            self._contract = Contract(self.app.openapi())
        try:
            self._contract.check(
                scope["method"], scope["path"], start["status"], headers.get("content-type"),
                b"".join(chunks),
            )  # fmt: skip
        except ContractViolation as violation:
            self.violations.append(str(violation))
