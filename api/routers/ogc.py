"""OGC API – Features (Part 1: Core and GeoJSON) at the service root, so that QGIS, GDAL
(``OAPIF:``), geopandas and any OGC client list and read the public layers with no glue; and
the same collections as whole files (CSV, GeoJSON, GeoPackage).

A small hand-written endpoint rather than tipg or pg_featureserv: the collections are a handful
of queries of :mod:`geo.publish.features`, each read under the caller's right to exact figures
(:data:`api.security.ExactFigures`) and described by this service's own OpenAPI contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api import errors
from api.deps import ConnDep
from api.models import geojson
from api.models.ogc import Colecciones, ColeccionOGC, Conformidad, ElementoOGC, ElementosOGC, Inicio
from api.security import OPTIONAL_LOGIN, ExactFigures
from boundaries.queries import MAX_PAGE_SIZE
from geo.publish import downloads, features
from geo.publish.features import ATTRIBUTION, Collection, FeatureFilter

router = APIRouter(tags=["ogc"], responses=errors.responses(503))

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
JSON = "application/json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": geojson.GEOJSON,
    "gpkg": "application/geopackage+sqlite3",
}


class GeoJSONResponse(JSONResponse):
    """A JSON answer whose media type is GeoJSON's."""

    media_type = geojson.GEOJSON


Coleccion = Annotated[
    str, Path(description=f"Identificador de la colección: {', '.join(features.COLLECTIONS)}.")
]
Bbox = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Solo los elementos que tocan el rectángulo oeste,sur,este,norte (grados, "
        "WGS 84), p. ej. `-97,16.9,-96.5,17.2`.",
    ),
]
Programa = Annotated[
    list[str] | None,
    Query(
        description="Cobertura: una clave de programa, `*` todos (por omisión), `2+` o `A|B`. "
        "Brechas: programas cuya cobertura se mide (repetible; sin sesión, uno o todos)."
    ),
]
Periodo = Annotated[
    str | None,
    Query(max_length=40, description="Periodo (por omisión, el más reciente con registros "
          "ubicados)."),
]  # fmt: skip
Municipio = Annotated[
    str | None, Query(pattern=r"^\d{5}$", description="Municipio (CVEGEO de 5 dígitos).")
]
Texto = Annotated[str | None, Query(max_length=80, description="Distrito o región.")]
Grados = Annotated[
    list[str] | None, Query(description="Grados de marginación; repetible o separados por coma.")
]
PoblacionMin = Annotated[
    int | None, Query(ge=0, le=2**31 - 1, description="Brechas: población mínima.")
]
CoberturaMax = Annotated[
    float | None, Query(ge=0, le=1, description="Brechas: cobertura máxima (fracción).")
]
Grupo = Annotated[
    str, Query(max_length=40, description="Brechas: grupo de población (total, mujeres, 65+…).")
]
FIGURES = errors.responses(400, 401, 404, 422)


def filters(
    bbox: Bbox = None,
    programa: Programa = None,
    periodo: Periodo = None,
    municipio: Municipio = None,
    distrito: Texto = None,
    region: Texto = None,
    grado: Grados = None,
    poblacion_min: PoblacionMin = None,
    cobertura_max: CoberturaMax = None,
    grupo: Grupo = "total",
) -> FeatureFilter:
    """The query parameters a whole collection is filtered by (``items`` and the downloads)."""
    return FeatureFilter(
        bbox=features.parse_bbox(bbox),
        programa=programa,
        periodo=periodo,
        municipio=municipio,
        distrito=distrito,
        region=region,
        grados=grado,
        poblacion_min=poblacion_min,
        cobertura_max=cobertura_max,
        grupo=grupo,
    )


def feature_filters(
    programa: Programa = None, periodo: Periodo = None, grupo: Grupo = "total"
) -> FeatureFilter:
    """The query parameters one feature is read with."""
    return FeatureFilter(programa=programa, periodo=periodo, grupo=grupo)


Filters = Annotated[FeatureFilter, Depends(filters)]
OneFeature = Annotated[FeatureFilter, Depends(feature_filters)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(
    "/",
    response_model=Inicio,
    summary="Inicio (OGC API – Features)",
    description="Para un navegador (que acepta HTML), redirige al mapa (`/mapa`); con "
    "`f=json` o `Accept: application/json`, la página de inicio de OGC API – Features: enlaces "
    "a la API (`/openapi.json`), la conformidad y las colecciones. Así QGIS, GDAL (`OAPIF:`) "
    "y cualquier cliente OGC se conectan a la raíz del servicio.",
    response_description="La página de inicio (JSON) o la redirección al mapa.",
    responses={307: {"description": "Redirección al mapa (navegadores)."}, **errors.responses(422)},
)
def inicio(
    request: Request,
    f: Annotated[
        Literal["json", "html"] | None, Query(description="`json` o `html` (el mapa).")
    ] = None,
) -> dict[str, Any] | RedirectResponse:
    """JSON for OGC clients; browsers, which ask for HTML, go on to the map."""
    accept = request.headers.get("accept", "")
    if f == "html" or (f is None and "text/html" in accept):
        return RedirectResponse("/mapa", status_code=307)
    base = _base(request)
    return {
        "title": request.app.title,
        "description": request.app.description,
        "attribution": ATTRIBUTION,
        "links": [
            {"href": f"{base}/?f=json", "rel": "self", "type": JSON, "title": "Este documento"},
            {"href": f"{base}/openapi.json", "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "La API"},
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html",
             "title": "Documentación de la API"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": JSON,
             "title": "Clases de conformidad"},
            {"href": f"{base}/collections", "rel": "data", "type": JSON, "title": "Colecciones"},
        ],
    }  # fmt: skip


@router.get(
    "/conformance",
    response_model=Conformidad,
    summary="Clases de conformidad (OGC API – Features)",
    description="OGC API – Features, parte 1: núcleo, GeoJSON y OpenAPI 3.0.",
    response_description="Las clases de conformidad.",
)
def conformidad() -> dict[str, Any]:
    """Part 1: Core, GeoJSON, OpenAPI 3.0."""
    return {"conformsTo": CONFORMANCE}


def _collection(base: str, c: Collection, bbox: list[float] | None) -> dict[str, Any]:
    here = f"{base}/collections/{c.id}"
    return {
        "id": c.id,
        "title": c.titulo,
        "description": c.descripcion,
        "attribution": ATTRIBUTION,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": None if bbox is None else {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "links": [
            {"href": here, "rel": "self", "type": JSON, "title": c.titulo},
            {"href": f"{here}/items", "rel": "items", "type": geojson.GEOJSON,
             "title": "Elementos (GeoJSON)"},
            *({"href": f"{base}/descargas/{c.id}.{formato}", "rel": "enclosure",
               "type": media.split(";")[0], "title": f"Descarga completa ({formato})"}
              for formato, media in MEDIA_TYPES.items()),
        ],
    }  # fmt: skip


@router.get(
    "/collections",
    response_model=Colecciones,
    summary="Colecciones (OGC API – Features)",
    description="Municipios, localidades, distritos y regiones (geografía de INEGI con "
    "marginación de CONAPO), la cobertura publicada por nivel y las localidades priorizadas.",
    response_description="Las colecciones.",
)
def colecciones(request: Request, conn: ConnDep) -> dict[str, Any]:
    """Every collection, with its links."""
    base = _base(request)
    bbox = features.extent(conn)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": JSON}],
        "collections": [_collection(base, c, bbox) for c in features.COLLECTIONS.values()],
    }


@router.get(
    "/collections/{coleccion}",
    response_model=ColeccionOGC,
    summary="Una colección (OGC API – Features)",
    description="Título, descripción, extensión y enlaces de una colección.",
    response_description="La colección.",
    responses=errors.responses(404, 422),
)
def coleccion(request: Request, conn: ConnDep, coleccion: Coleccion) -> dict[str, Any]:
    """One collection."""
    return _collection(_base(request), features.collection(coleccion), features.extent(conn))


@router.get(
    "/collections/{coleccion}/items",
    response_class=GeoJSONResponse,
    response_model=None,
    summary="Elementos de una colección (GeoJSON, paginados)",
    description="Los elementos que cumplen los filtros, `limit` por página (por omisión "
    f"{DEFAULT_LIMIT}; un valor mayor que {MAX_PAGE_SIZE} se reduce a {MAX_PAGE_SIZE}) desde "
    "`offset`, con `numberMatched` y enlaces `next` y `prev`. Sin sesión, solo agregados con "
    "la misma supresión que todo lo público; con un token de planeación o administración, "
    "cifras exactas.",
    response_description="Una página de elementos.",
    responses={200: {"content": geojson.content(ElementosOGC)}, **FIGURES},
    openapi_extra=OPTIONAL_LOGIN,
)
def elementos(
    request: Request,
    conn: ConnDep,
    exact: ExactFigures,
    coleccion: Coleccion,
    f: Filters,
    limit: Annotated[int, Query(ge=1, le=2**31 - 1, description="Elementos por página.")] = (
        DEFAULT_LIMIT
    ),
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Elementos a saltar.")] = 0,
) -> dict[str, Any]:
    """A page of features; ``next`` and ``prev`` links keep every other parameter."""
    limit = min(limit, MAX_PAGE_SIZE)
    chosen = features.collection(coleccion)
    found, matched = features.items(conn, chosen, f, exact=exact, limit=limit, offset=offset)
    links = [{"href": str(request.url), "rel": "self", "type": geojson.GEOJSON}]
    if offset + len(found) < matched:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"href": str(following), "rel": "next", "type": geojson.GEOJSON})
    if offset > 0:
        previous = request.url.include_query_params(offset=max(offset - limit, 0), limit=limit)
        links.append({"href": str(previous), "rel": "prev", "type": geojson.GEOJSON})
    collection_url = f"{_base(request)}/collections/{chosen.id}"
    links.append({"href": collection_url, "rel": "collection", "type": JSON})
    return {
        "type": "FeatureCollection",
        "features": found,
        "numberMatched": matched,
        "numberReturned": len(found),
        "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "links": links,
    }


@router.get(
    "/collections/{coleccion}/items/{elemento}",
    response_class=GeoJSONResponse,
    response_model=None,
    summary="Un elemento de una colección (GeoJSON)",
    description="Un elemento por su identificador (la clave del área, o la CVEGEO de la "
    "localidad en `brechas`), con los mismos filtros de programa y periodo que `items`.",
    response_description="El elemento.",
    responses={200: {"content": geojson.content(ElementoOGC)}, **FIGURES},
    openapi_extra=OPTIONAL_LOGIN,
)
def elemento(
    request: Request,
    conn: ConnDep,
    exact: ExactFigures,
    coleccion: Coleccion,
    elemento: Annotated[str, Path(max_length=80, description="Identificador del elemento.")],
    f: OneFeature,
) -> dict[str, Any]:
    """One feature, with links to itself and its collection."""
    chosen = features.collection(coleccion)
    found = features.feature(conn, chosen, elemento, f, exact=exact)
    collection_url = f"{_base(request)}/collections/{chosen.id}"
    found["links"] = [
        {"href": str(request.url), "rel": "self", "type": geojson.GEOJSON},
        {"href": collection_url, "rel": "collection", "type": JSON},
    ]
    return found


@router.get(
    "/descargas/{coleccion}.{formato}",
    summary="Descargar una colección entera (CSV, GeoJSON o GeoPackage)",
    description="Todos los elementos de una colección que cumplen los filtros, sin paginar, "
    "como archivo: CSV con marca de orden de bytes (Excel lo abre con sus acentos), GeoJSON "
    "o GeoPackage (QGIS). Cada fila lleva su fuente (`fuente`: INEGI, CONAPO); los polígonos "
    "son los municipios simplificados una vez al cargarlos, sin huecos entre vecinos. Sin "
    "sesión, las cifras publicadas; con un token de planeación o administración, exactas.",
    response_class=Response,
    responses={
        200: {
            "description": "El archivo.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                geojson.GEOJSON: {"schema": {"type": "object"}},
                MEDIA_TYPES["gpkg"]: {},
            },
        },
        **FIGURES,
    },
    openapi_extra=OPTIONAL_LOGIN,
)
def descarga(
    conn: ConnDep,
    exact: ExactFigures,
    coleccion: Coleccion,
    formato: Annotated[Literal["csv", "geojson", "gpkg"], Path(description="csv, geojson o gpkg.")],
    f: Filters,
) -> Response:
    """The whole collection as one file."""
    chosen = features.collection(coleccion)
    found, _ = features.items(conn, chosen, f, exact=exact, limit=None)
    content: str | bytes
    if formato == "csv":
        content = downloads.to_csv((x["properties"] for x in found), chosen.propiedades)
    elif formato == "geojson":
        content = downloads.to_geojson(found)
    else:
        content = downloads.to_geopackage(found, chosen.propiedades, chosen.id)
    return Response(
        content,
        media_type=MEDIA_TYPES[formato],
        headers={"Content-Disposition": f'attachment; filename="{chosen.id}.{formato}"'},
    )
