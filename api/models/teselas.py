"""``GET /teselas/{capa}.json`` (TileJSON) and ``GET /mapa/estilo.json`` (MapLibre style)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.models import Model


class CapaVectorial(Model):
    """Una capa de ``vector_layers`` de un documento TileJSON."""

    id: str = Field(description="Nombre de la capa dentro de las teselas.")
    description: str = Field(description="Qué muestra la capa.")
    fields: dict[str, str] = Field(description="Atributos de cada elemento y su descripción.")
    minzoom: int = Field(description="Zoom mínimo con elementos.")
    maxzoom: int = Field(description="Zoom máximo de las teselas.")


class TileJSON(Model):
    """Documento TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0)."""

    tilejson: Literal["3.0.0"] = Field(default="3.0.0", description="Versión de TileJSON.")
    name: str = Field(description="Nombre de la capa.")
    description: str = Field(description="Qué muestra la capa.")
    attribution: str = Field(description="Fuentes de los datos (INEGI, CONAPO).")
    scheme: Literal["xyz"] = Field(default="xyz", description="Esquema de numeración de filas.")
    tiles: list[str] = Field(description="Plantillas de URL de las teselas, con la versión.")
    minzoom: int = Field(description="Zoom mínimo.")
    maxzoom: int = Field(description="Zoom máximo.")
    bounds: list[float] = Field(
        min_length=4, max_length=4, description="Extensión: oeste, sur, este, norte (grados)."
    )
    center: list[float] = Field(
        min_length=3, max_length=3, description="Centro sugerido: longitud, latitud y zoom."
    )
    vector_layers: list[CapaVectorial] = Field(description="Capas vectoriales de las teselas.")


class EstiloMapLibre(Model):
    """Documento de estilo MapLibre (versión 8): fuentes TileJSON de este servicio y capas."""

    version: Literal[8] = Field(description="Versión de la especificación de estilos.")
    name: str = Field(description="Nombre del estilo.")
    metadata: dict[str, Any] = Field(
        description="Grados, clases de cobertura y umbral de brecha que usa la página del mapa."
    )
    center: list[float] = Field(min_length=2, max_length=2, description="Centro inicial.")
    zoom: float = Field(description="Zoom inicial.")
    sources: dict[str, dict[str, Any]] = Field(description="Fuentes de datos por nombre.")
    layers: list[dict[str, Any]] = Field(description="Capas de dibujo, en orden.")
