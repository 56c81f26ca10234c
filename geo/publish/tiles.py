"""Mapbox Vector Tiles built by PostGIS (``ST_AsMVT``) for the public map layers.

Layers are aggregates or reference geography only: never individual beneficiaries. Each layer is
one statement in ``geo/publish/sql/tile_<layer>.sql`` over geometry prepared at load time (Web
Mercator copies, municipalities generalised per zoom level as a coverage): a request only finds,
clips and encodes. Point layers never drop a feature: a tile holding more than
:data:`MAX_POINTS` points carries aggregates whose counts add up to all of them.

A tile's bytes depend only on the layer, the tile, its filters and :func:`data_version`, which
changes with every reference load and coverage refresh; caches key on it.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from sqlalchemy import Connection

from boundaries.generalise import ZOOMS, level_for
from geo.coverage.queries import default_period
from geo.kernel.db import DriverQuery, driver_statement, query, sql_text
from geo.kernel.errors import InvalidParameter

MAX_ZOOM = 14
"""The deepest zoom the layers are published at; map clients over-zoom beyond it."""

MAX_POINTS = 4096
"""Points a tile carries one by one; denser tiles carry aggregates (``tile_localidades.sql``)."""

CELL = 128
"""Side, in tile units of 4096, of an aggregation cell: 16 pixels of a 512-pixel tile."""


@dataclass(frozen=True)
class Layer:
    """A published tile layer: its statement, attributes (described for TileJSON) and zooms."""

    name: str
    description: str
    fields: dict[str, str]
    geometry: Literal["polygon", "point"]
    min_zoom: int = 0
    coverage: bool = False
    """Filtered by period and programs (``periodo``, ``programas``)."""

    @property
    def statement(self) -> str:
        """The file under ``geo/publish/sql`` that builds one tile."""
        return f"tile_{self.name}.sql"


_MUNICIPIO = {
    "cvegeo": "Clave geoestadística del municipio (INEGI)",
    "nom_mun": "Nombre del municipio",
    "distrito": "Distrito",
    "region": "Región",
}
_COBERTURA = {
    "pobtot": "Población total, Censo 2020",
    "gm": "Grado de marginación",
    "personas": "Personas únicas atendidas en el periodo por los programas elegidos",
    "cobertura": "Personas atendidas entre la población total",
}
_AGREGADO = {
    "n": "Localidades que representa el elemento: 1, o más en teselas densas, donde un elemento "
    "agrega las localidades de su celda (sin clave ni nombre)",
}

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "municipios",
            "Municipios con su índice de marginación municipal (CONAPO), generalizados por nivel "
            "de zoom sin separar a los vecinos.",
            {
                **_MUNICIPIO,
                "pob_2020": "Población total, Censo 2020",
                "gm": "Grado de marginación municipal (IMM), año más reciente",
                "im": "Índice de marginación municipal (IMM), año más reciente",
            },
            "polygon",
        ),
        Layer(
            "localidades",
            "Localidades (puntos del ITER 2020) con población y el mejor índice de marginación "
            "disponible.",
            {
                "cvegeo": "Clave geoestadística de la localidad (INEGI)",
                "nom_loc": "Nombre de la localidad",
                "cvegeo_mun": "Clave del municipio",
                "pobtot": "Población total, Censo 2020 (suma, en elementos agregados)",
                "gm": "Grado de marginación",
                "fuente": "Índice del que viene el grado: IML, IMU o IMM",
                **_AGREGADO,
            },
            "point",
            min_zoom=5,
        ),
        Layer(
            "localidades_poligonos",
            "Polígonos de localidades urbanas y rurales amanzanadas (Marco Geoestadístico).",
            {
                "cvegeo": "Clave geoestadística de la localidad (INEGI)",
                "nom_loc": "Nombre de la localidad",
                "cvegeo_mun": "Clave del municipio",
                "ambito": "Urbano o rural",
                "pob_2020": "Población total, Censo 2020",
                "viv_2020": "Viviendas, Censo 2020",
            },
            "polygon",
            min_zoom=8,
        ),
        Layer(
            "cobertura_municipios",
            "Cobertura de los programas por municipio: personas únicas atendidas y su "
            "proporción de la población (datos agregados).",
            {**_MUNICIPIO, **_COBERTURA},
            "polygon",
            coverage=True,
        ),
        Layer(
            "cobertura_localidades",
            "Cobertura de los programas por localidad: personas únicas atendidas y su "
            "proporción de la población (datos agregados).",
            {
                "cvegeo": "Clave geoestadística de la localidad (INEGI)",
                "nom_loc": "Nombre de la localidad",
                "nom_mun": "Nombre del municipio",
                **_COBERTURA,
                "fuente": "Índice del que viene el grado: IML, IMU o IMM",
                **_AGREGADO,
            },
            "point",
            min_zoom=5,
            coverage=True,
        ),
    )
}


def layer(name: str) -> Layer:
    """The layer called ``name``, or a Spanish error listing the layers."""
    found = LAYERS.get(name)
    if found is None:
        raise InvalidParameter(f"Capa desconocida: {name!r}. Capas: {', '.join(LAYERS)}.")
    return found


def check_tile(z: int, x: int, y: int) -> None:
    """Refuse a tile outside the Web Mercator grid."""
    if not 0 <= z <= 22 or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidParameter(f"Tesela fuera de rango: {z}/{x}/{y}.")


def programs_filter(programas: list[str] | None) -> list[str] | None:
    """Program keys as stored (upper case, sorted, unique); None for every program."""
    return sorted({p.strip().upper() for p in programas or [] if p.strip()}) or None


def tile_query(
    layer_name: str,
    z: int,
    x: int,
    y: int,
    *,
    periodo: str | None,
    programas: list[str] | None = None,
    max_points: int = MAX_POINTS,
) -> DriverQuery | None:
    """How to build one tile of ``layer_name``; None when the layer starts deeper than ``z``.

    Coverage layers count the persons of ``periodo`` (resolve the default with
    :func:`~geo.coverage.queries.default_period` first) reached by any of ``programas`` (every
    program when empty).
    """
    chosen = layer(layer_name)
    check_tile(z, x, y)
    if z < chosen.min_zoom:
        return None
    params: dict[str, object] = {"z": z, "x": x, "y": y}
    if chosen.geometry == "polygon":
        params["nivel"] = level_for(z)
    else:
        params |= {"max_puntos": max_points, "celda": CELL}
    if chosen.coverage:
        params |= {"periodo": periodo, "programas": programs_filter(programas)}
    return DriverQuery(driver_statement("geo.publish", chosen.statement), params)


def tile(
    conn: Connection,
    layer_name: str,
    z: int,
    x: int,
    y: int,
    *,
    periodo: str | None = None,
    programas: list[str] | None = None,
    max_points: int = MAX_POINTS,
) -> bytes:
    """One MVT tile of ``layer_name`` at ``z/x/y`` (Web Mercator); empty bytes for no features.

    Coverage layers count the persons of ``periodo`` (the newest usable when None) reached by
    any of ``programas`` (every program when empty).
    """
    if periodo is None and layer(layer_name).coverage:
        periodo = default_period(conn)
    built = tile_query(
        layer_name, z, x, y, periodo=periodo, programas=programas, max_points=max_points
    )
    if built is None:
        return b""
    result = conn.exec_driver_sql(built.statement, built.params).scalar_one()
    return bytes(result or b"")


def data_version(conn: Connection) -> str:
    """A short key that changes whenever a tile could: with every reference load, coverage
    refresh and migration, and every change to the tile statements themselves."""
    state = conn.execute(query("geo.publish", "tile_version.sql")).scalar_one()
    return hashlib.sha256(f"{state}|{_statements_digest()}".encode()).hexdigest()[:16]


@cache
def _statements_digest() -> str:
    """What the code contributes to a tile: its statements, zoom levels and aggregation."""
    texts = [sql_text("geo.publish", layer.statement) for layer in LAYERS.values()]
    return hashlib.sha256(repr((texts, ZOOMS, MAX_POINTS, CELL)).encode()).hexdigest()


def bounds(conn: Connection) -> tuple[float, float, float, float] | None:
    """West, south, east and north of the loaded states, or None before any load."""
    row = conn.execute(query("geo.publish", "tile_bounds.sql")).one()
    if row.oeste is None:
        return None
    return (float(row.oeste), float(row.sur), float(row.este), float(row.norte))


@dataclass(frozen=True)
class EncodedTile:
    """A tile's bytes as built and gzip-compressed (what most clients accept); ``gzipped`` is
    empty when compressing does not make the tile smaller (a small tile at a high zoom)."""

    raw: bytes
    gzipped: bytes

    @classmethod
    def of(cls, raw: bytes) -> EncodedTile:
        """Compress once (``mtime=0``: the same tile gives the same bytes)."""
        gzipped = gzip.compress(raw, compresslevel=6, mtime=0) if raw else b""
        return cls(raw, gzipped if len(gzipped) < len(raw) else b"")

    @property
    def size(self) -> int:
        """Bytes held in memory."""
        return len(self.raw) + len(self.gzipped)


@dataclass
class TileCache:
    """Least recently used tiles of one data version, up to ``max_bytes``.

    A tile is keyed by its layer, tile and filters; a new version empties the cache, so a load or
    a refresh is never hidden behind old tiles. The service uses it from its event loop; the lock
    keeps it safe from any thread as well.
    """

    max_bytes: int
    version: str = ""
    _entries: OrderedDict[tuple[object, ...], EncodedTile] = field(default_factory=OrderedDict)
    _size: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, version: str, key: tuple[object, ...]) -> EncodedTile | None:
        """The cached tile of ``key`` at ``version``, if any."""
        with self._lock:
            if version != self.version:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, version: str, key: tuple[object, ...], tile: EncodedTile) -> None:
        """Keep ``tile``; evict the least recently used beyond ``max_bytes``."""
        if tile.size > self.max_bytes:
            return
        with self._lock:
            if version != self.version:
                self._entries.clear()
                self._size = 0
                self.version = version
            previous = self._entries.pop(key, None)
            self._size += tile.size - (previous.size if previous else 0)
            self._entries[key] = tile
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)
