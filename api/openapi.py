"""Schemas the OpenAPI document refers to by name, beyond those FastAPI registers itself.

FastAPI publishes a model only under a route's main media type. The GeoJSON collections are the
second media type of routes whose main answer is JSON, and the :class:`api.errors.Error` body is
JSON also on routes whose main answer is a page or a file; :func:`content` refers to such a model
by name and :func:`add_components` puts it (and what it refers to) in the document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"


def content(model: type[BaseModel], media_type: str = "application/json") -> dict[str, Any]:
    """The ``content`` of an OpenAPI response whose body is ``model`` in ``media_type``."""
    return {media_type: {"schema": {"$ref": REF.format(model=model.__name__)}}}


def add_components(app: FastAPI, models: list[type[BaseModel]]) -> None:
    """Publish ``models`` in the components of ``app``'s OpenAPI document."""
    build = app.openapi
    _, definitions = models_json_schema([(m, "serialization") for m in models], ref_template=REF)

    def openapi() -> dict[str, Any]:
        document = build()  # FastAPI builds the document once and keeps it
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in definitions.get("$defs", {}).items():
            if schemas.setdefault(name, schema) != schema:
                raise RuntimeError(f"Two different schemas are named {name!r}.")
        return document

    app.openapi = openapi  # type: ignore[method-assign]
