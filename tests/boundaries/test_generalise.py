"""Municipalities generalised once per zoom level: lighter, and still a coverage (no slivers)."""

from __future__ import annotations

import shapely
from sqlalchemy import Connection, text

from boundaries.generalise import ZOOMS, level_for, tolerance

OAXACA, SANTA_LUCIA = "20067", "20390"
"""Oaxaca de Juárez and Santa Lucía del Camino: neighbours along a winding urban boundary."""


def level(conn: Connection, zoom: int, column: str) -> tuple[list[str], list[shapely.Geometry]]:
    rows = conn.execute(
        text(
            f"SELECT cvegeo, ST_AsBinary({column}) AS wkb FROM boundaries.municipio_generalizado "
            "WHERE zoom = :zoom ORDER BY cvegeo"
        ),
        {"zoom": zoom},
    ).all()
    return [r.cvegeo for r in rows], list(shapely.from_wkb([bytes(r.wkb) for r in rows]))


def test_every_level_is_a_valid_coverage_in_mercator_and_in_degrees(conn: Connection) -> None:
    vertices = []
    for zoom in ZOOMS:
        keys, mercator = level(conn, zoom, "geom_mercator")
        assert len(keys) == 570
        assert all(shapely.is_valid(mercator))
        # No overlaps, edges matched, and no gap narrower than a metre between neighbours.
        assert shapely.coverage_is_valid(mercator, gap_width=1.0), zoom
        _, degrees = level(conn, zoom, "geom")
        assert shapely.coverage_is_valid(degrees, gap_width=1e-5), zoom
        vertices.append(int(shapely.get_num_coordinates(mercator).sum()))
    assert vertices == sorted(vertices)  # coarser levels are lighter
    assert vertices[6] < 60_000 < 290_000  # zoom 6: a sixth of INEGI's 292,000 vertices


def test_neighbours_share_their_edge_at_every_level(conn: Connection) -> None:
    for zoom in (4, 8, 14):
        keys, polygons = level(conn, zoom, "geom_mercator")
        a, b = (polygons[keys.index(k)] for k in (OAXACA, SANTA_LUCIA))
        shared = shapely.intersection(a.boundary, b.boundary)
        assert shared.length > 1_000, zoom  # a common edge, not a point
        assert shapely.intersection(a, b).area < 1.0, zoom  # and no overlap


def test_the_whole_state_keeps_its_area(conn: Connection) -> None:
    """Gaps would lower the union's area below the sum of the parts; overlaps would raise it."""
    for zoom in (6, 10):
        _, polygons = level(conn, zoom, "geom_mercator")
        union = shapely.union_all(polygons)
        total = sum(p.area for p in polygons)
        assert abs(union.area - total) / total < 1e-9
        original = conn.execute(
            text("SELECT ST_Area(ST_Transform(ST_Union(geom), 3857)) FROM boundaries.municipio")
        ).scalar_one()
        assert abs(union.area - original) / original < 0.002


def test_levels_and_tolerances() -> None:
    assert [level_for(z) for z in (0, 6, 14, 15, 22)] == [0, 6, 14, 14, 14]
    assert round(tolerance(0)) == 9784 and round(tolerance(14), 2) == 0.6


def test_districts_regions_and_the_state_are_stored_as_their_municipalities_union(
    conn: Connection,
) -> None:
    """Stored at load so that no request dissolves them; each the exact union of its
    generalised municipalities at the same level (a coverage union: no edge moved)."""
    members = conn.execute(
        text("SELECT cvegeo, distrito, region, cve_ent AS estado FROM boundaries.municipio")
    ).all()
    for zoom in (7, 12):
        keys, polygons = level(conn, zoom, "geom_mercator")
        area = dict(zip(keys, (p.area for p in polygons), strict=True))
        stored = conn.execute(
            text(
                "SELECT nivel, clave, ST_AsBinary(geom_mercator) AS wkb "
                "FROM boundaries.agregado_generalizado WHERE zoom = :zoom"
            ),
            {"zoom": zoom},
        ).all()
        for nivel in ("distrito", "region", "estado"):
            groups: dict[str, float] = {}
            for m in members:
                groups[getattr(m, nivel)] = groups.get(getattr(m, nivel), 0.0) + area[m.cvegeo]
            found = {r.clave: shapely.from_wkb(bytes(r.wkb)) for r in stored if r.nivel == nivel}
            assert set(found) == set(groups), (nivel, zoom)
            for clave, shape in found.items():
                assert shapely.is_valid(shape)
                assert abs(shape.area - groups[clave]) / groups[clave] < 1e-9, (nivel, clave)
    assert len({m.region for m in members}) == 8
