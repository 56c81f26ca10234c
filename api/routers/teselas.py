"""Vector tiles (MVT) of the public map layers, their TileJSON documents and the map's style."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api import errors
from api.deps import SettingsDep
from api.models.teselas import CapaVectorial, EstiloMapLibre, TileJSON
from api.style import ATTRIBUTION, map_style
from api.tiles import IMMUTABLE, REVALIDATE, TileService, accepts_gzip, etag, not_modified
from geo.publish.tiles import LAYERS, MAX_ZOOM, check_tile, layer

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
    summary="Tesela vectorial de una capa pública",
    description="Una tesela Mapbox Vector Tile (MVT) de una capa pública del mapa: "
    f"{', '.join(LAYERS)}. Las teselas vacías responden 204, sin cuerpo, para que el mapa "
    "las omita. Con la versión de los datos en la URL (como la dan los documentos TileJSON) "
    "se puede guardar un año; sin ella, se revalida con su ETag. Las teselas con demasiados "
    "puntos llevan agregados (campo `n`): nunca pierden elementos.",
    responses={
        200: {
            "content": {MVT: {}},
            "description": "Tesela MVT (en gzip si el cliente lo acepta y la reduce).",
        },
        204: {"description": "Tesela vacía: no hay nada de la capa en ella."},
        304: {"description": "La tesela no cambió (ETag)."},
        **errors.responses(400, 422, 503),
    },
)
async def teselas(
    request: Request,
    capa: Annotated[str, Path(description="Capa del mapa.")],
    z: Annotated[int, Path(ge=0, le=22, description="Nivel de zoom.")],
    x: Annotated[int, Path(ge=0, description="Columna de la tesela.")],
    y: Annotated[int, Path(ge=0, description="Fila de la tesela.")],
    periodo: Periodo = None,
    programa: Programa = None,
    v: Annotated[
        str | None,
        Query(description="Versión de los datos (de su TileJSON): con ella, caché de un año."),
    ] = None,
) -> Response:
    """One tile: immutable with the data version in its URL, else revalidated by ETag."""
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
    if built.gzipped and accepts_gzip(request.headers.get("accept-encoding")):
        return Response(
            built.gzipped, media_type=MVT, headers=headers | {"Content-Encoding": "gzip"}
        )
    return Response(built.raw, media_type=MVT, headers=headers)


WHOLE_WORLD = (-180.0, -85.0511287798066, 180.0, 85.0511287798066)


@router.get(
    "/teselas/{capa}.json",
    response_model=TileJSON,
    summary="Documento TileJSON 3.0 de una capa",
    description="Describe una capa para cualquier visor (MapLibre, QGIS, OpenLayers): la URL de "
    "sus teselas con la versión vigente de los datos, sus campos, niveles de zoom y extensión. "
    "En las capas de cobertura, `periodo` y `programa` pasan a las URL de las teselas.",
    response_description="El documento TileJSON.",
    responses=errors.responses(400, 422, 503),
)
async def tilejson(
    request: Request,
    response: Response,
    capa: Annotated[str, Path(description="Capa del mapa.")],
    periodo: Periodo = None,
    programa: Programa = None,
) -> TileJSON:
    """A layer's TileJSON; coverage filters travel into its tile URLs."""
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
    response_model=EstiloMapLibre,
    summary="Estilo MapLibre del mapa del servicio",
    description="El estilo del mapa público: fuentes TileJSON de este servicio (municipios, "
    "localidades, sus polígonos y la cobertura) y sus capas; lo usa la página `/mapa` y lo "
    "puede abrir cualquier visor MapLibre.",
    response_description="Documento de estilo MapLibre (versión 8).",
    responses=errors.responses(503),
)
async def estilo(request: Request, settings: SettingsDep) -> JSONResponse:
    """The public map's style, with this service's TileJSON sources."""
    body = map_style(str(request.base_url).rstrip("/"), settings.basemap_url)
    return JSONResponse(body, headers=PUBLIC | {"Cache-Control": REVALIDATE})
