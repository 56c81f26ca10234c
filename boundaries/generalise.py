"""Municipal polygons generalised once per zoom level, as a coverage.

Maps and exports need municipalities far lighter than INEGI's 292,000 vertices for Oaxaca, and
neighbours must keep sharing their edges at every level: simplifying each polygon on its own
(``ST_SimplifyPreserveTopology``) moves a shared edge differently on each side and opens gaps
and overlaps (slivers). Coverage simplification treats the edges shared by two polygons once.

PostGIS has it as ``ST_CoverageSimplify`` only from 3.4 with GEOS 3.12; Debian 12 ships PostGIS
3.3 with GEOS 3.11. Shapely 2.1+ wheels carry a newer GEOS with the same algorithm
(``shapely.coverage_simplify``, Visvalingam–Whyatt over the shared edges), so it runs here, at
load time, in Python. Levels are simplified one from the next (finest first): each step works
on fewer vertices, and the result of each is still a valid coverage. Districts, regions and
states are the coverage union of their municipalities at each level
(``shapely.coverage_union_all``: shared edges dropped, nothing re-noded), stored beside them.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon
from sqlalchemy import Connection, delete

from boundaries import tables as t
from geo.kernel.db import copy_rows, query

WEB_MERCATOR_CIRCUMFERENCE = 40_075_016.686
"""Metres along the equator in EPSG:3857: the width of the zoom-0 tile."""

TILE_EXTENT = 4096
"""Units per tile side in the vector tiles (the MVT default)."""

ZOOMS = tuple(range(15))
"""The zoom levels that get their own generalisation; finer zooms read the finest one."""


def tolerance(zoom: int) -> float:
    """Web Mercator metres of one tile unit at ``zoom``: what a tile cannot show anyway."""
    return WEB_MERCATOR_CIRCUMFERENCE / (TILE_EXTENT * 2.0**zoom)


def level_for(zoom: int) -> int:
    """The stored level a tile of ``zoom`` reads."""
    return min(zoom, ZOOMS[-1])


def generalise_municipalities(conn: Connection) -> int:
    """Rebuild ``boundaries.municipio_generalizado`` and ``boundaries.agregado_generalizado``
    from every loaded municipality.

    All states at once, in the caller's transaction, so that edges shared across state lines stay
    shared too. Returns the number of rows written.
    """
    rows = conn.execute(query("boundaries", "municipios_mercator.sql")).all()
    keys = [row.cvegeo for row in rows]
    groups = {
        "distrito": np.array([row.distrito for row in rows], dtype=object),
        "region": np.array([row.region for row in rows], dtype=object),
        "estado": np.array([row.cve_ent for row in rows], dtype=object),
    }
    current = shapely.from_wkb([bytes(row.wkb) for row in rows])
    conn.execute(delete(t.municipio_generalizado))
    conn.execute(delete(t.agregado_generalizado))
    written = 0
    for zoom in sorted(ZOOMS, reverse=True):
        current = shapely.coverage_simplify(current, tolerance(zoom))
        written += copy_rows(
            conn,
            "boundaries",
            t.municipio_generalizado.name,
            ["zoom", "cvegeo", "tolerancia_m", "geom_mercator"],
            zip(
                [zoom] * len(keys),
                keys,
                [tolerance(zoom)] * len(keys),
                _ewkb_multi(current),
                strict=True,
            ),
        )
        written += copy_rows(
            conn,
            "boundaries",
            t.agregado_generalizado.name,
            ["nivel", "clave", "zoom", "geom_mercator"],
            _unions(current, groups, zoom),
        )
    return written


def _unions(
    municipalities: np.ndarray, groups: dict[str, np.ndarray], zoom: int
) -> list[tuple[str, str, int, str]]:
    """Each district's, region's and state's municipalities at one level, dissolved."""
    found = []
    for nivel, labels in groups.items():
        claves = sorted({c for c in labels if c is not None})
        unions = [shapely.coverage_union_all(municipalities[labels == c]) for c in claves]
        found += [(nivel, c, zoom, u) for c, u in zip(claves, _ewkb_multi(unions), strict=True)]
    return found


def _ewkb_multi(geometries: np.ndarray | list[shapely.Geometry]) -> list[str]:
    """Hex EWKB in SRID 3857; a polygon left alone by simplification becomes a multipolygon."""
    multi = [g if isinstance(g, MultiPolygon) else MultiPolygon([g]) for g in geometries]
    return list(
        shapely.to_wkb(shapely.set_srid(np.array(multi), 3857), hex=True, include_srid=True)
    )
