"""GeoJSON answers (``application/geo+json``) as geojson-pydantic models.

They are the second media type of routes whose main answer is JSON, so they are published with
:func:`api.openapi.add_components` (see ``api/app.py``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from geojson_pydantic import Feature, FeatureCollection
from pydantic import BaseModel, ConfigDict, Field

from api import openapi
from api.models import Model

GEOJSON = "application/geo+json"

F = TypeVar("F", bound=Feature[Any, Any])


class Enlace(Model):
    """Enlace a otra página de resultados (OGC API — Features)."""

    rel: str = Field(description="Relación: `next` es la página siguiente.")
    href: str = Field(description="URL de la página.")
    type: str = Field(description="Tipo de medio de la página enlazada.")


class Coleccion(FeatureCollection[F], Generic[F]):
    """Colección de elementos GeoJSON con el conteo de la consulta."""

    model_config = ConfigDict(extra="forbid")

    numberMatched: int = Field(description="Elementos que cumplen los filtros (todas las páginas).")
    numberReturned: int = Field(description="Elementos en esta respuesta.")


class ColeccionPaginada(Coleccion[F], Generic[F]):
    """Colección de elementos GeoJSON, paginada."""

    links: list[Enlace] = Field(description="Enlace a la página siguiente, si la hay.")


def content(model: type[BaseModel]) -> dict[str, Any]:
    """The ``content`` of an answer whose body is ``model`` as GeoJSON."""
    return openapi.content(model, GEOJSON)
