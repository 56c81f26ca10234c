"""The public sweep's checks of figures: no count of 1 to k-1 persons and no amount tied to a
suppressed count in any public answer (JSON or map tile), read without a login.

Every integer of a JSON answer is taken for a count of persons or records unless its key says it
is something else (census population, paging, ranks, years, batch ids...): a new figure is
checked without editing this module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from itertools import product
from typing import Any

import mapbox_vector_tile
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo.publish.features import COLLECTIONS

NOT_COUNTS = frozenset({
    "k", "total", "limite", "desplazamiento", "numberMatched", "numberReturned", "lugar",
    "pobtot", "pob_2020", "viv_2020", "pobfem", "pobmas", "poblacion", "poblacion_grupo", "poblacion_objetivo",
    "anio_marginacion", "anio", "cargas", "carga", "localidades", "grado_orden", "total_objetivo",
    "municipios", "n", "zoom", "minzoom", "maxzoom", "version",
    "paint", "layout", "filter",  # a MapLibre style's drawing rules
})  # fmt: skip
"""Keys whose integers are not counts of beneficiaries (census data, paging, ranks, ids)."""

TIED = {
    "importe_varios_programas": "personas_en_varios_programas",
    "importe_repetido_en_programa": "duplicados_en_programa",
}
"""Amounts published beside the count of the persons or listings they pay."""


def small_counts(document: Any, k: int, where: str = "") -> Iterator[str]:
    """Where ``document`` holds a count of 1 to k-1, or an amount or ratio of a count it does not
    publish (a JSON path each)."""
    if isinstance(document, dict):
        if document.get("suprimida") is True or (
            "personas" in document and document["personas"] is None
        ):
            for key in ("personas", "registros", "importe", "cobertura", "cobertura_pct"):
                if document.get(key) is not None:
                    yield f"{where}.{key} de una cifra suprimida"
        if "ya_atendidos" in document and document["ya_atendidos"] is None:
            for key in ("sin_atender", "cobertura_actual"):
                if document.get(key) is not None:
                    yield f"{where}.{key} de personas no publicadas"
        for amount, count in TIED.items():
            if amount in document and count in document:
                yield from _tied(document[amount], document[count], f"{where}.{amount}")
        for key, value in document.items():
            if key in ("geometry", "bbox", "paint", "layout"):
                continue  # shapes, and a map style's drawing rules (sizes and zoom stops in code)
            if _is_count(value, k) and key not in NOT_COUNTS:
                yield f"{where}.{key} = {value}"
            elif key not in NOT_COUNTS:
                yield from small_counts(value, k, f"{where}.{key}")
    elif isinstance(document, list):
        for i, item in enumerate(document):
            if _is_count(item, k):
                yield f"{where}[{i}] = {item}"
            else:
                yield from small_counts(item, k, f"{where}[{i}]")


def _is_count(value: Any, k: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < k


def _tied(amount: Any, count: Any, where: str) -> Iterator[str]:
    if isinstance(amount, dict) and isinstance(count, dict):
        for key, value in amount.items():
            if value is not None and count.get(key) is None:
                yield f"{where}.{key}: importe de un conteo suprimido"
    elif amount is not None and count is None:
        yield f"{where}: importe de un conteo suprimido"


def tile_counts(body: bytes, k: int) -> Iterator[str]:
    """Features of a vector tile whose persons are 1 to k-1, or whose ratio is published
    without them."""
    for name, layer in mapbox_vector_tile.decode(body).items():
        for feature in layer["features"]:
            properties = feature["properties"]
            persons = properties.get("personas")
            if isinstance(persons, int) and 1 <= persons < k:
                yield f"{name}:{properties.get('cvegeo')} personas = {persons}"
            if persons is None and properties.get("cobertura") is not None:
                yield f"{name}:{properties.get('cvegeo')} cobertura sin personas"


def tiles_around(points: list[tuple[float, float]], zooms: tuple[int, ...]) -> set[tuple[int, ...]]:
    """The (z, x, y) Web Mercator tiles that hold ``points`` (lon, lat) at ``zooms``."""
    found = set()
    for lon, lat in points:
        for z in zooms:
            n = 2**z
            x = int((lon + 180) / 360 * n)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            found.add((z, x, y))
    return found


PATH_VALUES: dict[str, list[Any]] = {
    "capa": ["municipios", "localidades", "cobertura_municipios", "cobertura_localidades"],
    "coleccion": list(COLLECTIONS),
    "elemento": ["20067"],
    "z": [8],
    "x": [58],
    "y": [113],
}
REQUIRED_QUERY = {"/ubicacion/verificar": {"lon": -96.5, "lat": 17.1}}


def is_public(operation: dict[str, Any]) -> bool:
    """An operation anyone may call: no security requirement, or an optional one (``{}``)."""
    security = operation.get("security")
    return not security or {} in security


def public_requests(schema: dict[str, Any], extra: dict[str, list[dict[str, Any]]]) -> list[str]:
    """One URL per public GET operation, per value of each enumerated parameter and per
    ``extra`` query of its path."""
    urls: list[str] = []
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None or not is_public(operation):
            continue
        variants: list[dict[str, Any]] = [{}]
        for parameter in operation.get("parameters", []):
            options = parameter["schema"].get("enum") or [
                o["const"] for o in parameter["schema"].get("anyOf", []) if "const" in o
            ]
            variants += [{parameter["name"]: value} for value in options]
        variants += extra.get(path, [])
        layers = [(name, v) for name, v in PATH_VALUES.items() if name in ("capa", "coleccion")]
        for variant in variants:
            for chosen in product(*[v if "{" + n + "}" in path else [None] for n, v in layers]):
                values = {name: variant.get(name, v[0]) for name, v in PATH_VALUES.items()}
                values |= {n: layer for (n, _), layer in zip(layers, chosen, strict=True)}
                formats = ["csv", "geojson", "gpkg"] if "{formato}" in path else [None]
                for formato in formats:
                    urls.append(_url(path, {**values, "formato": formato}, variant))
    return sorted(set(urls))


def _url(path: str, path_params: dict[str, Any], variant: dict[str, Any]) -> str:
    url = path.format(**{k: v for k, v in path_params.items() if "{" + k + "}" in path})
    query = {k: v for k, v in variant.items() if "{" + k + "}" not in path}
    query |= REQUIRED_QUERY.get(path, {})
    pairs = [(k, item) for k, v in query.items() for item in (v if isinstance(v, list) else [v])]
    return url + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


def figure_queries(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every table of figures at every level and filter, for each period computed."""
    with engine.connect() as conn:
        periods = conn.scalars(text("SELECT DISTINCT periodo FROM analisis.refresco")).all()
        programs = conn.execute(text("SELECT periodo, programa FROM analisis.refresco")).all()
    levels = ["estado", "region", "distrito", "municipio", "localidad"]
    extra: dict[str, list[dict[str, Any]]] = {}
    for q in periods:
        columns = [None, "*", "2+", *[p for period, p in programs if period == q]]
        extra.setdefault("/transparencia/conteos", []).extend(
            {"periodo": q, "nivel": n, **({"programa": p} if p else {})}
            for n in levels for p in columns
        )  # fmt: skip
        extra.setdefault("/cobertura", []).extend(
            {"periodo": q, "nivel": n, "limite": 1000, **({"programa": p} if p else {})}
            for n in levels for p in columns
        )  # fmt: skip
        extra.setdefault("/cobertura/brechas", []).extend(
            [{"periodo": q, "limite": 1000},
             *({"periodo": q, "programa": p, "limite": 1000} for p in columns[3:])]
        )  # fmt: skip
        for path in ("/duplicados", "/anomalias", "/reglas/violaciones"):
            extra.setdefault(path, []).append({"periodo": q})
        extra.setdefault("/transparencia/descarga.{formato}", []).append(
            {"periodo": q, "nivel": "localidad"}
        )
        extra.setdefault("/collections/{coleccion}/items", []).extend(
            {"periodo": q, "limit": 1000, **({"programa": p} if p else {})} for p in columns[1:]
        )
    return extra


REFERENCE_COLLECTIONS = tuple(
    f"/collections/{c.id}/" for c in COLLECTIONS.values() if c.tipo == "area"
)


def sweep_figures(
    client: TestClient, engine: Engine, k: int, places: list[tuple[float, float]]
) -> tuple[list[str], int]:
    """Every public answer about figures, read without a login (JSON, and the coverage tiles
    around ``places`` for each period): the small counts found, and how many answers were read."""
    schema = client.app.openapi()  # type: ignore[attr-defined]
    found: list[str] = []
    read = 0
    for url in public_requests(schema, figure_queries(engine)):
        if url.startswith("/transparencia/descarga") and "periodo=" not in url:
            continue  # the rows of /transparencia/conteos, read above; slow to draw
        if url == "/mapa/estilo.json":
            continue  # the map's style: paint constants (radii, widths), no figure
        if "periodo=" in url and url.startswith(REFERENCE_COLLECTIONS):
            continue  # INEGI's and CONAPO's areas: no figure depends on the period
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
            continue
        read += 1
        found.extend(f"{url}: {f}" for f in small_counts(json.loads(response.content), k))
    with engine.connect() as conn:
        periods = conn.scalars(text("SELECT DISTINCT periodo FROM analisis.refresco")).all()
    for q in periods:
        for z, x, y in sorted(tiles_around(places, (6, 9, 12))):
            for layer in ("cobertura_municipios", "cobertura_localidades"):
                url = f"/teselas/{layer}/{z}/{x}/{y}.pbf?periodo={q}"
                response = client.get(url)
                assert response.status_code in (200, 204), url
                if response.status_code == 200:
                    read += 1
                    found.extend(f"{url}: {f}" for f in tile_counts(response.content, k))
    return found, read
