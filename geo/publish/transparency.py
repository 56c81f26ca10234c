"""Public transparency: the publication's cells by state, region, district, municipality and
locality, as rows for the page and as CSV, GeoJSON and GeoPackage downloads.

Every figure comes from :mod:`geo.publish.publication` (suppressed for the public, exact for
planners and admins); this module only shapes rows and writes files. No personal data is read:
keys, names of places and figures.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from geo.kernel.db import query
from geo.publish import downloads
from geo.publish.features import EXPORT_ZOOM
from geo.publish.publication import NO_LOCALITY, CellFilter, iter_cells

CSV_COLUMNS = (
    "nivel", "clave", "cvegeo_mun", "nombre", "programa", "periodo", "personas", "importe",
    "suprimida", "poblacion", "cobertura_pct", "grado_marginacion",
)  # fmt: skip


def rows(
    conn: Connection,
    *,
    exact: bool,
    nivel: str | None = None,
    programa: str | None = None,
    periodo: str | None = None,
    cvegeo_mun: str | None = None,
) -> list[dict[str, Any]]:
    """The published rows (every value when ``exact``) that match the filters; ``programa``
    ``*`` is every program together (each person once)."""
    found = iter_cells(
        conn, CellFilter(nivel=nivel, programa=programa, periodo=periodo, municipio=cvegeo_mun),
        exact=exact,
    )  # fmt: skip
    return [_row(cell) for cell in found]


def _row(cell: dict[str, Any]) -> dict[str, Any]:
    no_locality = cell["nombre"] == NO_LOCALITY
    ratio = cell["cobertura"]
    return {
        "nivel": cell["nivel"],
        "clave": None if no_locality else cell["clave"],
        "cvegeo_mun": cell["cvegeo_mun"] if cell["nivel"] == "localidad" else None,
        "nombre": cell["nombre"],
        "programa": cell["programa"],
        "periodo": cell["periodo"],
        "personas": cell["personas"],
        "importe": cell["importe"],
        "suprimida": cell["suprimida"],
        "poblacion": None if no_locality else cell["pobtot"],
        "cobertura_pct": None if ratio is None else round(100 * ratio, 2),
        "grado_marginacion": cell["gm"],
    }


def to_csv(found: list[dict[str, Any]]) -> str:
    """Rows as CSV for Excel (suppressed figures empty, ``suprimida`` true; with the source)."""
    return downloads.to_csv(found, CSV_COLUMNS)


def geometries(conn: Connection, found: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """Public geometry per place key: INEGI's locality point, otherwise the municipalities
    generalised as a coverage (or their union), so that neighbours share their edges."""
    keys = sorted({(row["nivel"], row["clave"]) for row in found if row["clave"]})
    result = conn.execute(
        query("geo.publish", "geometries.sql"),
        {"niveles": [n for n, _ in keys], "claves": [c for _, c in keys], "zoom": EXPORT_ZOOM},
    )
    return {(r.nivel, r.clave): json.loads(r.geojson) for r in result}


def _features(
    found: list[dict[str, Any]], shapes: dict[tuple[str, str], Any]
) -> list[dict[str, Any]]:
    return [
        {"type": "Feature", "geometry": shapes.get((row["nivel"], row["clave"])),
         "properties": row}
        for row in found
    ]  # fmt: skip


def to_geojson(found: list[dict[str, Any]], shapes: dict[tuple[str, str], Any]) -> str:
    """A FeatureCollection; rows without a place of their own ("sin localidad") have no geometry."""
    return downloads.to_geojson(_features(found, shapes))


def to_geopackage(found: list[dict[str, Any]], shapes: dict[tuple[str, str], Any]) -> bytes:
    """A GeoPackage (EPSG:4326) of the rows."""
    return downloads.to_geopackage(_features(found, shapes), CSV_COLUMNS, "transparencia")
