"""QGIS's and GDAL's view of the service: Debian's ``ogrinfo``/``ogr2ogr`` (gdal-bin, installed
by ``scripts/bootstrap``) connect to the root of a live server on the demo database with
``OAPIF:``, list every collection and read features from each; geopandas reads one."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import geopandas as gpd
import pytest

from api.settings import Settings
from geo.publish.features import COLLECTIONS
from tests.api.browser import live_server

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
OGR2OGR = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"


@pytest.fixture(scope="module")
def base_url(demo_settings: Settings) -> Iterator[str]:
    with live_server(demo_settings) as url:
        yield url


def _gdal(*args: str) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=120, env={"GDAL_HTTP_TIMEOUT": "60"}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_every_collection(base_url: str) -> None:
    listing = _gdal(OGRINFO, "-ro", "-q", f"OAPIF:{base_url}")
    layers = {
        line.split(": ", 1)[1].split(" (")[0] for line in listing.splitlines() if ": " in line
    }
    assert layers == set(COLLECTIONS), listing
    summary = _gdal(OGRINFO, "-ro", "-so", f"OAPIF:{base_url}", "municipios")
    assert "Feature Count: 570" in summary and "nombre: String" in summary


@pytest.mark.parametrize("coleccion", list(COLLECTIONS))
def test_ogr2ogr_reads_features_of_each_collection(base_url: str, coleccion: str) -> None:
    out = _gdal(
        OGR2OGR, "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{base_url}", coleccion, "-limit", "3"
    )
    features = json.loads(out)["features"]
    assert len(features) == 3, out[:2000]
    shapes = {f["geometry"]["type"] for f in features if f["geometry"]}
    assert shapes <= {COLLECTIONS[coleccion].geometria}, out[:2000]
    assert all(f["properties"] for f in features)


def test_geopandas_reads_a_collection(base_url: str) -> None:
    frame = gpd.read_file(f"{base_url}/collections/municipios/items?limit=1000")
    assert len(frame) == 570 and frame.crs.to_epsg() == 4326
    assert frame.loc[frame["clave"] == "20067", "nombre"].iloc[0] == "Oaxaca de Juárez"
    assert set(frame.geom_type) == {"MultiPolygon"}
