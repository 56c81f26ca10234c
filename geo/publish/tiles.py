"""Mapbox Vector Tiles built by PostGIS (``ST_AsMVT``) for the public map layers.

Layers are aggregates or reference geography only: never individual beneficiaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo.kernel.errors import InvalidParameter


@dataclass(frozen=True)
class Layer:
    """A tile layer: a query returning ``geom`` (SRID 4326) plus attribute columns."""

    name: str
    source_sql: str
    attributes: tuple[str, ...]
    min_zoom: int = 0
    max_zoom: int = 16
    coverage: bool = False
    """Takes ``:periodo`` and ``:programas`` (persons reached by any of them, or by any program)."""


def _coverage_source(level: str, columns: str) -> str:
    """Areas of ``level`` with the unique persons reached and the ratio to POBTOT."""
    return f"""
        SELECT a.clave AS cvegeo, {columns}, a.pobtot, a.gm, a.fuente_marginacion AS fuente,
               coalesce(x.personas, 0) AS personas,
               round(coalesce(x.personas, 0)::numeric / nullif(a.pobtot, 0), 5)::float8
                   AS cobertura,
               a.geom
        FROM analisis.area a
        LEFT JOIN (SELECT clave, sum(personas) AS personas FROM analisis.combinacion
                   WHERE periodo = :periodo AND nivel = '{level}'
                     AND (CAST(:programas AS text[]) IS NULL
                          OR programas && CAST(:programas AS text[]))
                   GROUP BY clave) x ON x.clave = a.clave
        WHERE a.nivel = '{level}'"""  # noqa: S608 - constants only


LAYERS: dict[str, Layer] = {
    "municipios": Layer(
        "municipios",
        """SELECT m.cvegeo, m.nom_mun, m.region, m.distrito, m.pob_2020, imm.gm, imm.im, m.geom
           FROM boundaries.municipio m
           LEFT JOIN LATERAL (SELECT gm, im FROM boundaries.marginacion_municipal x
                              WHERE x.cvegeo = m.cvegeo ORDER BY anio DESC LIMIT 1) imm ON true""",
        ("cvegeo", "nom_mun", "region", "distrito", "pob_2020", "gm", "im"),
    ),
    "localidades": Layer(
        "localidades",
        """SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot, b.gm, b.fuente, l.geom
           FROM boundaries.localidad l
           LEFT JOIN boundaries.marginacion_mejor b USING (cvegeo)""",
        ("cvegeo", "nom_loc", "cvegeo_mun", "pobtot", "gm", "fuente"),
        min_zoom=5,
    ),
    "localidades_poligonos": Layer(
        "localidades_poligonos",
        """SELECT p.cvegeo, p.nom_loc, p.cve_ent || p.cve_mun AS cvegeo_mun, p.ambito,
                  p.pob_2020, p.viv_2020, p.geom
           FROM boundaries.localidad_poligono p""",
        ("cvegeo", "nom_loc", "cvegeo_mun", "ambito", "pob_2020", "viv_2020"),
        min_zoom=8,
    ),
    "cobertura_municipios": Layer(
        "cobertura_municipios",
        _coverage_source("municipio", "a.nombre AS nom_mun, a.distrito, a.region"),
        ("cvegeo", "nom_mun", "distrito", "region", "pobtot", "gm", "personas", "cobertura"),
        coverage=True,
    ),
    "cobertura_localidades": Layer(
        "cobertura_localidades",
        _coverage_source("localidad", "a.nombre AS nom_loc, a.nom_mun"),
        ("cvegeo", "nom_loc", "nom_mun", "pobtot", "gm", "fuente", "personas", "cobertura"),
        min_zoom=5,
        coverage=True,
    ),
}


def tile(
    conn: Connection,
    layer_name: str,
    z: int,
    x: int,
    y: int,
    *,
    periodo: str | None = None,
    programas: list[str] | None = None,
) -> bytes:
    """One MVT tile of ``layer_name`` at ``z/x/y`` (Web Mercator). Coverage layers count the
    persons of ``periodo`` reached by any of ``programas`` (all programs when empty)."""
    layer = LAYERS.get(layer_name)
    if layer is None:
        raise InvalidParameter(f"Capa desconocida: {layer_name!r}. Capas: {', '.join(LAYERS)}.")
    if not 0 <= z <= 22 or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidParameter(f"Tesela fuera de rango: {z}/{x}/{y}.")
    if z < layer.min_zoom or z > layer.max_zoom:
        return b""
    # Simplify in proportion to the tile's pixel size so low zooms stay light.
    sql = f"""
        WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
        src AS ({layer.source_sql}),
        mvt AS (
            SELECT ST_AsMVTGeom(
                       ST_SimplifyPreserveTopology(ST_Transform(src.geom, 3857),
                                                   (ST_XMax(b.env) - ST_XMin(b.env)) / 4096),
                       b.env, 4096, 64, true) AS geom,
                   {", ".join(f"src.{a}" for a in layer.attributes)}
            FROM src, bounds b
            WHERE src.geom && ST_Transform(b.env, 4326)
        )
        SELECT ST_AsMVT(mvt.*, :layer, 4096, 'geom') FROM mvt WHERE mvt.geom IS NOT NULL
    """  # noqa: S608 - the layer SQL is a constant from LAYERS; z/x/y and the name are bound.
    params: dict[str, object] = {"z": z, "x": x, "y": y, "layer": layer.name}
    if layer.coverage:
        params["periodo"] = periodo if periodo is not None else _newest_period(conn)
        params["programas"] = (
            sorted({p.strip().upper() for p in programas or [] if p.strip()}) or None
        )
    result = conn.execute(text(sql), params).scalar_one()
    return bytes(result or b"")


def _newest_period(conn: Connection) -> str:
    value = conn.execute(text("SELECT max(periodo) FROM analisis.refresco")).scalar_one_or_none()
    return "" if value is None else str(value)
