"""Files people open where they work: CSV for Excel, GeoJSON for the web, GeoPackage for QGIS.

Every file says where its data comes from (INEGI, CONAPO) in a ``fuente`` field of every row,
which survives any filter or join a user makes; the GeoPackage says it once more as its layer's
description. CSV starts with a UTF-8 byte-order mark: without it Excel on Windows reads the file
as ANSI and shows ``Oaxaca de JuÃ¡rez``; Python (``utf-8-sig``), pandas and GDAL skip it.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from geo.publish.features import ATTRIBUTION

SOURCE = "fuente"
"""The field that carries :data:`ATTRIBUTION` in every row."""
BOM = "\ufeff"


def _cell(value: Any) -> Any:
    """A flat value for a table cell: lists joined with commas."""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a byte-order mark and a ``fuente`` column."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([*columns, SOURCE])
    for row in rows:
        writer.writerow([*(_cell(row.get(c)) for c in columns), ATTRIBUTION])
    return out.getvalue()


def to_geojson(features: Iterable[dict[str, Any]]) -> str:
    """A FeatureCollection whose features carry ``fuente``."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {**f, "properties": {**f["properties"], SOURCE: ATTRIBUTION}} for f in features
        ],
    }
    return json.dumps(collection, ensure_ascii=False)


def to_geopackage(features: Sequence[dict[str, Any]], columns: Sequence[str], layer: str) -> bytes:
    """A GeoPackage (EPSG:4326) of one layer, written with geopandas/pyogrio to a temporary file
    (GDAL writes SQLite files, not streams); the attribution is also the layer's description."""
    import geopandas as gpd
    from shapely.geometry import shape

    frame = gpd.GeoDataFrame(
        [
            {**{c: _cell(f["properties"].get(c)) for c in columns}, SOURCE: ATTRIBUTION}
            for f in features
        ],
        columns=[*columns, SOURCE],
        geometry=[shape(f["geometry"]) if f["geometry"] else None for f in features],
        crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory(prefix="padron-gpkg-") as folder:
        path = Path(folder) / f"{layer}.gpkg"
        frame.to_file(
            path,
            layer=layer,
            driver="GPKG",
            engine="pyogrio",
            layer_options={"DESCRIPTION": ATTRIBUTION},
        )
        return path.read_bytes()
