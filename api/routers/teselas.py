"""Vector tiles (MVT) of the public map layers, their TileJSON documents and the map's style."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.deps import SettingsDep
from api.style import ATTRIBUTION, map_style
from api.tiles import IMMUTABLE, REVALIDATE, TileService, accepts_gzip, etag, not_modified
from geo.publish.tiles import MAX_ZOOM, check_tile, layer

router = APIRouter(tags=["mapa"])

MVT = "application/vnd.mapbox-vector-tile"
PUBLIC = {"Access-Control-Allow-Origin": "*"}
"""Public aggregates: any web map may load them."""

Periodo = Annotated[
    str | None, Query(description="Capas de cobertura: periodo (el más reciente si falta).")
]
Programa = Annotated[
    list[str] | None, Query(description="Capas de cobertura: programas (todos si falta).")
]


def _service(request: Request) -> TileService:
    service: TileService = request.app.state.teselas
    return service


@router.get(
    "/teselas/{capa}/{z}/{x}/{y}.pbf",
    response_class=Response,
    responses={
        200: {"content": {MVT: {}}, "description": "Tesela MVT (gzip si el cliente lo acepta)."},
        204: {"description": "Tesela sin elementos."},
        304: {"description": "La tesela no cambió (ETag)."},
    },
    summary="Tesela vectorial de una capa pública",
)
async def teselas(
    request: Request,
    capa: str,
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
    periodo: Periodo = None,
    programa: Programa = None,
    v: Annotated[
        str | None,
        Query(description="Versión de los datos (de su TileJSON): con ella, caché de un año."),
    ] = None,
) -> Response:
    """Una tesela en formato Mapbox Vector Tile. Con la versión de los datos en la URL (como la
    dan los documentos TileJSON) se puede guardar un año; sin ella, se revalida con su ETag.
    Las teselas con demasiados puntos llevan agregados (campo ``n``), nunca pierden elementos."""
    layer(capa)
    check_tile(z, x, y)
    service = _service(request)
    version = await service.version()
    headers = {
        **PUBLIC,
        "ETag": etag(version),
        "Cache-Control": IMMUTABLE if v == version else REVALIDATE,
        "Vary": "Accept-Encoding",
    }
    if not_modified(request.headers.get("if-none-match"), version):
        return Response(status_code=304, headers=headers)
    built = await service.tile(version, capa, z, x, y, periodo, programa)
    if not built.raw:
        return Response(status_code=204, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding")):
        return Response(
            built.gzipped, media_type=MVT, headers=headers | {"Content-Encoding": "gzip"}
        )
    return Response(built.raw, media_type=MVT, headers=headers)


class CapaVectorial(BaseModel):
    """A layer of a TileJSON ``vector_layers``."""

    id: str
    description: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int


class TileJSON(BaseModel):
    """A TileJSON 3.0.0 document (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0)."""

    tilejson: Literal["3.0.0"] = "3.0.0"
    name: str
    description: str
    attribution: str
    scheme: Literal["xyz"] = "xyz"
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float] = Field(min_length=4, max_length=4)
    center: list[float] = Field(min_length=3, max_length=3)
    vector_layers: list[CapaVectorial]


WHOLE_WORLD = (-180.0, -85.0511287798066, 180.0, 85.0511287798066)


@router.get(
    "/teselas/{capa}.json",
    response_model=TileJSON,
    summary="Documento TileJSON 3.0 de una capa",
)
async def tilejson(
    request: Request,
    response: Response,
    capa: str,
    periodo: Periodo = None,
    programa: Programa = None,
) -> TileJSON:
    """Describe una capa para cualquier visor (MapLibre, QGIS, OpenLayers): la URL de sus
    teselas con la versión vigente de los datos, sus campos, niveles de zoom y extensión. En
    las capas de cobertura, ``periodo`` y ``programa`` pasan a las URL de las teselas."""
    chosen = layer(capa)
    service = _service(request)
    version = await service.version()
    extent = await service.bounds(version)
    query = [("v", version)]
    if chosen.coverage:
        query += [("periodo", periodo)] if periodo is not None else []
        query += [("programa", p) for p in programa or []]
    base = str(request.base_url).rstrip("/")
    response.headers.update(PUBLIC | {"ETag": etag(version), "Cache-Control": REVALIDATE})
    west, south, east, north = extent or WHOLE_WORLD
    return TileJSON(
        name=chosen.name,
        description=chosen.description,
        attribution=ATTRIBUTION,
        tiles=[f"{base}/teselas/{chosen.name}/{{z}}/{{x}}/{{y}}.pbf?{urlencode(query)}"],
        minzoom=chosen.min_zoom,
        maxzoom=MAX_ZOOM,
        bounds=[west, south, east, north],
        center=[round((west + east) / 2, 4), round((south + north) / 2, 4), 7],
        vector_layers=[
            CapaVectorial(
                id=chosen.name,
                description=chosen.description,
                fields=chosen.fields,
                minzoom=chosen.min_zoom,
                maxzoom=MAX_ZOOM,
            )
        ],
    )


@router.get(
    "/mapa/estilo.json",
    summary="Estilo MapLibre del mapa del servicio",
    response_description="Documento de estilo MapLibre (versión 8).",
)
async def estilo(request: Request, settings: SettingsDep) -> JSONResponse:
    """El estilo del mapa público: fuentes TileJSON de este servicio (municipios, localidades,
    sus polígonos y la cobertura) y sus capas; lo usa la página ``/mapa`` y lo puede abrir
    cualquier visor MapLibre."""
    body = map_style(str(request.base_url).rstrip("/"), settings.basemap_url)
    return JSONResponse(body, headers=PUBLIC | {"Cache-Control": REVALIDATE})
