"""The OGC API – Features collections: reference areas, published coverage and the gap ranking.

A fixed few collections, each a query over what the rest of the service already publishes:
the reference geography (``boundaries``: INEGI and CONAPO), the publication's cells
(:func:`cells_query`: suppressed for the public, exact for planners and admins) and the gap ranking
(:func:`geo.coverage.queries.gaps` with the published or exact reach). Polygons are the
municipalities simplified once at load as a coverage (``boundaries.municipio_generalizado``),
and districts and regions are their union (stored at load), so neighbours share their edges in
every answer and every download.

Why not tipg or pg_featureserv: both publish tables and views as they stand, with every value,
while here each figure must be read under the caller's right to exact figures and each polygon
from the generalised coverage; the collections are a handful, so this module (queries) and
``api/routers/ogc.py`` (HTTP) stay smaller than the configuration and access glue around either.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Select, case, func, literal, null, select
from sqlalchemy.sql import ColumnElement

from boundaries import tables as b
from boundaries.queries import parse_grades
from geo.coverage.queries import GapFilter, default_period, exact_reach, gaps
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter, NotFound
from geo.publish import figures
from geo.publish.publication import ALL, CellFilter, cells_query

EXPORT_ZOOM = 7
"""The level of ``municipio_generalizado`` features and downloads read: about 76 m (80,000
vertices for Oaxaca's 570 municipalities against INEGI's 292,000; zoom 10 kept 212,000), the
detail of a state map; a page of polygons stays light for QGIS and for dissolving districts."""

ATTRIBUTION = (
    "Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020; CONAPO, Índices "
    "de marginación 2010–2020. Cifras del Padrón Único de Beneficiarios de Oaxaca, con "
    "supresión de conteos pequeños. Datos filtrados y transformados por este proyecto."
)
"""Said with every collection and in every download."""

AREA_PROPERTIES = (
    "clave", "nombre", "cvegeo_mun", "nom_mun", "distrito", "region", "pobtot", "gm",
    "fuente_marginacion", "anio_marginacion",
)  # fmt: skip
COVERAGE_PROPERTIES = (
    "clave", "nombre", "cvegeo_mun", "nom_mun", "distrito", "region", "programa", "periodo",
    "personas", "importe", "pobtot", "grupo", "poblacion", "cobertura", "gm",
    "fuente_marginacion", "anio_marginacion", "suprimida",
)  # fmt: skip
GAP_PROPERTIES = (
    "lugar", "cvegeo", "nom_loc", "cvegeo_mun", "nom_mun", "distrito", "region", "pobtot",
    "poblacion_grupo", "grupo", "personas", "cobertura", "suprimida", "gm",
    "fuente_marginacion", "anio_marginacion", "periodo", "programas_ausentes", "motivo",
)  # fmt: skip
"""Properties of each kind of collection, in CSV order (lists are joined with commas)."""


@dataclass(frozen=True)
class Collection:
    """One collection: its id, Spanish title and description, geometry type and source."""

    id: str
    titulo: str
    descripcion: str
    geometria: str
    tipo: str
    """``area`` (reference geography), ``cobertura`` (published cells) or ``brechas``."""
    nivel: str = "localidad"

    @property
    def propiedades(self) -> tuple[str, ...]:
        """The properties of its features."""
        return {"area": AREA_PROPERTIES, "cobertura": COVERAGE_PROPERTIES}.get(
            self.tipo, GAP_PROPERTIES
        )


_PLURAL = {"municipio": "municipios", "localidad": "localidades", "distrito": "distritos",
           "region": "regiones"}  # fmt: skip
_SHAPE = {"localidad": "Point"}
_AREAS = {
    "municipio": "Los 570 municipios de Oaxaca (INEGI, Marco Geoestadístico) con distrito, "
    "región, población (Censo 2020) y su grado de marginación más reciente (CONAPO).",
    "localidad": "Localidades del Censo 2020 (ITER) como puntos, con población y la mejor "
    "marginación disponible (CONAPO: localidad, AGEB urbanas o municipio).",
    "distrito": "Distritos rentísticos: unión de sus municipios, con población (Censo 2020).",
    "region": "Las ocho regiones del estado: unión de sus municipios, con población.",
}
COLLECTIONS: dict[str, Collection] = {
    **{
        _PLURAL[nivel]: Collection(
            _PLURAL[nivel], _PLURAL[nivel].capitalize(), text,
            _SHAPE.get(nivel, "MultiPolygon"), "area", nivel,
        )
        for nivel, text in _AREAS.items()
    },
    **{
        f"cobertura_{_PLURAL[nivel]}": Collection(
            f"cobertura_{_PLURAL[nivel]}",
            f"Cobertura por {nivel.replace('region', 'región')}",
            "Personas únicas, importe, población y cobertura de un programa (`programa`; `*`: "
            "todos, cada persona una vez) en un periodo (`periodo`; por omisión el más reciente "
            f"con registros ubicados), por {nivel.replace('region', 'región')}. Sin sesión, las "
            "cifras de la publicación: nulas donde se suprimieron (`suprimida`); con un token "
            "de planeación o administración, exactas."
            + (" Una localidad sin fila no tuvo personas en el periodo." if nivel == "localidad"
               else ""),
            _SHAPE.get(nivel, "MultiPolygon"), "cobertura", nivel,
        )
        for nivel in _AREAS
    },
    "brechas": Collection(
        "brechas", "Localidades priorizadas",
        "El orden de prioridad de las localidades para focalizar apoyos (`lugar`): grado de "
        "marginación, menor cobertura, mayor población; `motivo` dice por qué. Sin sesión, con "
        "las cifras de la publicación (un programa o todos); con un token de planeación o "
        "administración, exactas y cualquier combinación de programas.",
        "Point", "brechas",
    ),
}  # fmt: skip
"""Every collection, by id."""


def collection(coleccion: str) -> Collection:
    """The collection ``coleccion``, or :class:`NotFound` naming the ones there are."""
    found = COLLECTIONS.get(coleccion)
    if found is None:
        raise NotFound(
            f"No existe la colección {coleccion!r}. Colecciones: {', '.join(COLLECTIONS)}."
        )
    return found


@dataclass(frozen=True)
class FeatureFilter:
    """What a request asks of a collection; each kind reads the filters it has."""

    bbox: tuple[float, float, float, float] | None = None
    programa: Sequence[str] | None = None
    periodo: str | None = None
    municipio: str | None = None
    distrito: str | None = None
    region: str | None = None
    grados: Sequence[str] | None = None
    poblacion_min: int | None = None
    cobertura_max: float | None = None
    grupo: str = "total"
    ids: Sequence[str] = field(default_factory=tuple)
    """Only this feature (``/items/{featureId}``)."""


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``"west,south,east,north"`` in degrees (OGC's ``bbox``), checked."""
    if value is None:
        return None
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4:
        raise InvalidParameter(
            "bbox: se esperan cuatro números separados por comas: oeste,sur,este,norte."
        )
    west, south, east, north = numbers
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidParameter(
            "bbox: oeste ≤ este entre -180 y 180, sur ≤ norte entre -90 y 90 (grados)."
        )
    return west, south, east, north


def extent(conn: Connection) -> list[float] | None:
    """West, south, east, north of the loaded states (every collection's spatial extent)."""
    row = conn.execute(query("geo.publish", "tile_bounds.sql")).one()
    return None if row.oeste is None else [row.oeste, row.sur, row.este, row.norte]


def items(
    conn: Connection,
    coleccion: Collection,
    f: FeatureFilter,
    *,
    exact: bool,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The collection's features matching ``f`` (GeoJSON dicts, ``id`` set) and how many match.

    ``limit=None`` reads them all (downloads)."""
    if offset < 0:
        raise InvalidParameter("offset: no puede ser negativo.")
    if coleccion.tipo == "brechas":
        return _gap_items(conn, f, exact=exact, limit=limit, offset=offset)
    statement, key = (
        _area_items(coleccion.nivel, f)
        if coleccion.tipo == "area"
        else _coverage_items(conn, coleccion.nivel, f, exact)
    )
    shape = _shapes(coleccion.nivel)
    statement = statement.add_columns(func.ST_AsGeoJSON(shape.c.geom, 6).label("geometry"))
    statement = statement.outerjoin(shape, shape.c.clave == key)
    if f.bbox is not None:
        statement = statement.where(
            func.ST_Intersects(shape.c.geom, func.ST_MakeEnvelope(*f.bbox, 4326))
        )
    if f.ids:
        statement = statement.where(key.in_(list(f.ids)))
    total = conn.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    found = conn.execute(statement.order_by(key).limit(limit).offset(offset)).mappings()
    return [_feature(dict(row), coleccion.propiedades) for row in found], int(total)


def _area_items(nivel: str, f: FeatureFilter) -> tuple[Select[Any], ColumnElement[Any]]:
    """The reference geography of a level (INEGI keys, names and census population, CONAPO's
    marginality), read from ``boundaries`` so that it is there before any roster."""
    m, loc, best = b.municipio, b.localidad, b.marginacion_mejor
    none = null().label
    if nivel == "localidad":
        source = select(
            loc.c.cvegeo.label("clave"), loc.c.nom_loc.label("nombre"), loc.c.cvegeo_mun,
            m.c.nom_mun, m.c.distrito, m.c.region, loc.c.pobtot, best.c.gm,
            best.c.fuente.label("fuente_marginacion"), best.c.anio.label("anio_marginacion"),
        ).select_from(
            loc.join(m, m.c.cvegeo == loc.c.cvegeo_mun).outerjoin(
                best, best.c.cvegeo == loc.c.cvegeo
            )
        )  # fmt: skip
    elif nivel == "municipio":
        imm = b.marginacion_municipal
        newest = select(func.max(imm.c.anio)).scalar_subquery()
        source = select(
            m.c.cvegeo.label("clave"), m.c.nom_mun.label("nombre"), m.c.cvegeo.label("cvegeo_mun"),
            m.c.nom_mun, m.c.distrito, m.c.region, m.c.pob_2020.label("pobtot"), imm.c.gm,
            case((imm.c.gm.is_not(None), literal("IMM"))).label("fuente_marginacion"),
            imm.c.anio.label("anio_marginacion"),
        ).select_from(
            m.outerjoin(imm, (imm.c.cvegeo == m.c.cvegeo) & (imm.c.anio == newest))
        )  # fmt: skip
    else:
        key = m.c.distrito if nivel == "distrito" else m.c.region
        region = func.min(m.c.region) if nivel == "distrito" else key
        source = (
            select(
                key.label("clave"), key.label("nombre"), none("cvegeo_mun"), none("nom_mun"),
                (key if nivel == "distrito" else null()).label("distrito"),
                region.label("region"), func.sum(m.c.pob_2020).label("pobtot"), none("gm"),
                none("fuente_marginacion"), none("anio_marginacion"),
            )
            .where(key.is_not(None))
            .group_by(key)
        )  # fmt: skip
    areas = source.subquery("area")
    statement = select(*[areas.c[name] for name in AREA_PROPERTIES])
    if f.municipio:
        statement = statement.where(areas.c.cvegeo_mun == f.municipio)
    for name in ("distrito", "region"):
        if value := getattr(f, name):
            statement = statement.where(func.lower(areas.c[name]) == value.lower())
    if grades := parse_grades(f.grados):
        statement = statement.where(areas.c.gm.in_(grades))
    return statement, areas.c.clave


def _coverage_items(
    conn: Connection, nivel: str, f: FeatureFilter, exact: bool
) -> tuple[Select[Any], ColumnElement[Any]]:
    programs = list(f.programa or [])
    if len(programs) > 1:
        raise InvalidParameter(
            "programa: una clave de programa, `*` (todos), `2+` o `A|B`; no una lista."
        )
    periodo = f.periodo if f.periodo is not None else default_period(conn) or ""
    cells = cells_query(
        CellFilter(
            nivel=nivel,
            periodo=periodo,
            programa=programs[0] if programs else ALL,
            municipio=f.municipio,
            distrito=f.distrito,
            region=f.region,
            grados=f.grados,
        ),
        exact,
    ).subquery()
    return select(*[cells.c[name] for name in COVERAGE_PROPERTIES]), cells.c.clave


def _shapes(nivel: str) -> Any:
    """Each area's geometry: INEGI's point for a locality; for the other levels the
    municipalities generalised as a coverage at :data:`EXPORT_ZOOM`, or their union stored at
    load."""
    if nivel == "localidad":
        loc = b.localidad
        return select(loc.c.cvegeo.label("clave"), loc.c.geom).subquery("forma")
    if nivel == "municipio":
        g = b.municipio_generalizado
        return (
            select(g.c.cvegeo.label("clave"), g.c.geom)
            .where(g.c.zoom == EXPORT_ZOOM)
            .subquery("forma")
        )
    u = b.agregado_generalizado
    return (
        select(u.c.clave, u.c.geom)
        .where(u.c.nivel == nivel, u.c.zoom == EXPORT_ZOOM)
        .subquery("forma")
    )


def _feature(row: dict[str, Any], properties: Sequence[str]) -> dict[str, Any]:
    shape = row.pop("geometry", None)
    if row.get("importe") is not None:
        row["importe"] = float(row["importe"])
    return {
        "type": "Feature",
        "id": row.get("clave") or row.get("cvegeo"),
        "geometry": json.loads(shape) if isinstance(shape, str) else shape,
        "properties": {name: row.get(name) for name in properties},
    }


def _gap_items(
    conn: Connection, f: FeatureFilter, *, exact: bool, limit: int | None, offset: int
) -> tuple[list[dict[str, Any]], int]:
    reach: Callable[..., Any] = exact_reach if exact else figures.published_reach
    rows, total, _ = gaps(
        conn,
        GapFilter(
            periodo=f.periodo,
            programas=f.programa,
            grados=f.grados,
            poblacion_min=f.poblacion_min,
            cobertura_max=f.cobertura_max,
            municipio=f.municipio,
            distrito=f.distrito,
            region=f.region,
            grupo=f.grupo,
            bbox=f.bbox,
            cvegeo=f.ids[0] if f.ids else None,
        ),
        limit=limit,
        offset=offset,
        reach=reach,
        geometry=True,
    )
    return [_feature(row, GAP_PROPERTIES) for row in rows], total


def feature(
    conn: Connection, coleccion: Collection, feature_id: str, f: FeatureFilter, *, exact: bool
) -> dict[str, Any]:
    """One feature of the collection by its id, or :class:`NotFound`."""
    found, _ = items(conn, coleccion, replace(f, ids=(feature_id,)), exact=exact, limit=1)
    if not found:
        raise NotFound(f"No existe el elemento {feature_id!r} en la colección {coleccion.id!r}.")
    return found[0]
