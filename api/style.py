"""The MapLibre style of the service's own map (``/mapa/estilo.json``).

Sources are this service's TileJSON documents, so tile URLs carry the data version; the legend's
classes travel in the style's ``metadata`` so that the page draws the same colours it renders.
"""

from __future__ import annotations

from typing import Any

ATTRIBUTION = (
    "Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020 (ITER). "
    "Fuente: CONAPO, Índices de marginación 2020. Datos filtrados y transformados por el "
    "Padrón Único."
)

GRADES = [
    ["Muy bajo", "#1a9850"],
    ["Bajo", "#91cf60"],
    ["Medio", "#fee08b"],
    ["Alto", "#fc8d59"],
    ["Muy alto", "#d73027"],
]
"""CONAPO grades and their colours, least to most marginalised."""

CLASSES = [
    [0, "#f7fbff", "0 %"],
    [0.01, "#c6dbef", "1 %"],
    [0.05, "#6baed6", "5 %"],
    [0.1, "#2171b5", "10 %"],
    [0.25, "#08306b", "25 % o más"],
]
"""Coverage classes: lower limit, colour, label."""

NO_DATA = "#bdbdbd"
GAP_THRESHOLD = 0.05
"""Coverage below which a highly marginalised locality is a gap."""

_BY_GRADE: list[Any] = ["match", ["get", "gm"], *[v for pair in GRADES for v in pair], NO_DATA]
_BY_COVERAGE: list[Any] = [
    "case",
    ["has", "personas"],
    [
        "step",
        ["coalesce", ["get", "cobertura"], 0],
        CLASSES[0][1],
        *[v for limit, color, _ in CLASSES[1:] for v in (limit, color)],
    ],
    NO_DATA,
]
"""Coverage classes; an area whose figure the publication suppresses carries no ``personas`` and
is drawn as "No publicada"."""
_BY_POPULATION: list[Any] = [
    "interpolate", ["linear"], ["sqrt", ["get", "pobtot"]], 1, 2, 100, 6, 500, 14,
]  # fmt: skip
_HIDDEN = {"visibility": "none"}
_POINTS_FROM = 8
"""Locality points are drawn from this zoom on: before it they would cover the state, and the
densest tiles (zoom 7 over the Valles Centrales) carry aggregates rather than localities."""


def map_style(base_url: str, basemap_url: str | None) -> dict[str, Any]:
    """The style document, with absolute URLs under ``base_url``."""

    def source(layer: str) -> dict[str, Any]:
        return {"type": "vector", "url": f"{base_url}/teselas/{layer}.json"}

    sources: dict[str, Any] = {
        "municipios": source("municipios"),
        "localidades": source("localidades"),
        "localidades_poligonos": source("localidades_poligonos"),
        "cob_municipios": source("cobertura_municipios"),
        "cob_localidades": source("cobertura_localidades"),
    }
    layers: list[dict[str, Any]] = [
        {"id": "fondo", "type": "background", "paint": {"background-color": "#eef2f5"}}
    ]
    if basemap_url:
        sources["base"] = {"type": "raster", "tiles": [basemap_url], "tileSize": 256}
        layers.append({"id": "base", "type": "raster", "source": "base"})
    layers += [
        {
            "id": "municipios-relleno", "type": "fill",
            "source": "municipios", "source-layer": "municipios",
            "paint": {"fill-color": _BY_GRADE, "fill-opacity": 0.6},
        },
        {
            "id": "cobertura-municipios", "type": "fill",
            "source": "cob_municipios", "source-layer": "cobertura_municipios",
            "layout": _HIDDEN,
            "paint": {"fill-color": _BY_COVERAGE, "fill-opacity": 0.75},
        },
        {
            "id": "municipios-borde", "type": "line",
            "source": "municipios", "source-layer": "municipios",
            "paint": {"line-color": "#555", "line-width": 0.4},
        },
        {
            "id": "localidades-poligonos", "type": "line",
            "source": "localidades_poligonos", "source-layer": "localidades_poligonos",
            "minzoom": 10,
            "paint": {"line-color": "#6a51a3", "line-width": 0.8, "line-opacity": 0.7},
        },
        {
            "id": "localidades", "type": "circle",
            "source": "localidades", "source-layer": "localidades",
            "minzoom": _POINTS_FROM,
            "paint": {
                "circle-color": _BY_GRADE, "circle-radius": _BY_POPULATION,
                "circle-stroke-color": "#333", "circle-stroke-width": 0.6,
            },
        },
        {
            "id": "cobertura-localidades", "type": "circle",
            "source": "cob_localidades", "source-layer": "cobertura_localidades",
            "minzoom": _POINTS_FROM, "layout": _HIDDEN,
            "paint": {
                "circle-color": _BY_COVERAGE, "circle-radius": _BY_POPULATION,
                "circle-stroke-color": _BY_GRADE, "circle-stroke-width": 2,
            },
        },
        {
            "id": "brechas", "type": "circle",
            "source": "cob_localidades", "source-layer": "cobertura_localidades",
            "minzoom": _POINTS_FROM, "layout": _HIDDEN,
            "paint": {
                "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#b2182b",
                "circle-stroke-width": 2.5, "circle-radius": ["+", 4, _BY_POPULATION],
            },
        },
    ]  # fmt: skip
    return {
        "version": 8,
        "name": "Padrón Único de Oaxaca",
        "metadata": {
            "padron:grados": GRADES,
            "padron:clases": CLASSES,
            "padron:sin_dato": NO_DATA,
            "padron:umbral_brecha": GAP_THRESHOLD,
        },
        "center": [-96.45, 17.05],
        "zoom": 6.6,
        "sources": sources,
        "layers": layers,
    }
