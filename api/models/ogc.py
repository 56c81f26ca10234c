"""OGC API – Features (Part 1: Core, GeoJSON) documents: landing page, conformance, collections,
features."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.models import Model


class EnlaceOGC(Model):
    """Enlace de un documento OGC API."""

    href: str = Field(description="URL del recurso enlazado.")
    rel: str = Field(description="Relación: `self`, `next`, `prev`, `data`, `conformance`…")
    type: str | None = Field(default=None, description="Tipo de medio del recurso enlazado.")
    title: str | None = Field(default=None, description="Título del enlace.")


class EnlaceGeoJSON(Model):
    """Enlace de un documento GeoJSON de elementos."""

    href: str = Field(description="URL del recurso enlazado.")
    rel: str = Field(description="Relación: `self`, `next`, `prev` o `collection`.")
    type: str = Field(description="Tipo de medio del recurso enlazado.")


class Inicio(Model):
    """Página de inicio de la API (OGC API – Features)."""

    title: str = Field(description="Nombre del servicio.")
    description: str = Field(description="Qué ofrece, y la fuente de sus datos.")
    attribution: str = Field(description="Fuente de los datos (INEGI, CONAPO).")
    links: list[EnlaceOGC] = Field(description="La API, la conformidad y las colecciones.")


class Conformidad(Model):
    """Clases de conformidad que el servicio cumple."""

    conformsTo: list[str] = Field(description="URIs de las clases de conformidad.")


class Espacial(Model):
    """Extensión espacial de una colección."""

    bbox: list[list[float]] = Field(description="Oeste, sur, este, norte, en grados.")
    crs: str = Field(description="Sistema de referencia de `bbox` (WGS 84, lon/lat).")


class Extension(Model):
    """Extensión de una colección."""

    spatial: Espacial = Field(description="Extensión espacial.")


class ColeccionOGC(Model):
    """Una colección de elementos."""

    id: str = Field(description="Identificador de la colección.")
    title: str = Field(description="Título.")
    description: str = Field(description="Qué contiene, de qué fuente y con qué filtros.")
    attribution: str = Field(description="Fuente de los datos (INEGI, CONAPO).")
    itemType: Literal["feature"] = Field(description="Siempre `feature`.")
    crs: list[str] = Field(description="Sistemas de referencia de las geometrías.")
    extent: Extension | None = Field(description="Extensión (nula sin geografía cargada).")
    links: list[EnlaceOGC] = Field(description="La colección, sus elementos y sus descargas.")


class Colecciones(Model):
    """Las colecciones del servicio."""

    links: list[EnlaceOGC] = Field(description="Este documento.")
    collections: list[ColeccionOGC] = Field(description="Las colecciones.")


class Geometria(Model):
    """Geometría GeoJSON (RFC 7946) en WGS 84, lon/lat.

    Described by type only, not vertex by vertex: checking every coordinate of a page of
    municipal polygons against geojson-pydantic's schema took the contract tests seconds per
    page, and the coordinates are GeoJSON's, written by PostGIS."""

    type: Literal["Point", "MultiPolygon"] = Field(description="Tipo de geometría.")
    coordinates: list[Any] = Field(description="Coordenadas (lon, lat).")


class ElementoOGC(Model):
    """Un elemento de una colección: sus propiedades son las que describe la colección."""

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")
    id: str = Field(description="Identificador: la clave del área o de la localidad.")
    geometry: Geometria | None = Field(
        description="Punto de la localidad (INEGI) o polígono; nula en «Sin localidad»."
    )
    properties: dict[str, Any] = Field(description="Las propiedades de la colección.")
    links: list[EnlaceGeoJSON] | None = Field(
        default=None, description="El elemento y su colección (solo en `/items/{elemento}`)."
    )


class ElementosOGC(Model):
    """Una página de elementos de una colección."""

    type: Literal["FeatureCollection"] = Field(description="Siempre `FeatureCollection`.")
    features: list[ElementoOGC] = Field(description="Los elementos de la página.")

    numberMatched: int = Field(description="Elementos que cumplen los filtros (todas las páginas).")
    numberReturned: int = Field(description="Elementos en esta página.")
    timeStamp: str = Field(description="Momento de la respuesta (UTC, ISO 8601).")
    links: list[EnlaceGeoJSON] = Field(
        description="`self`, `collection`, y `next` y `prev` cuando los hay."
    )
