"""Reference geography: municipalities and localities, as JSON or GeoJSON, paginated."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api import errors
from api.deps import ConnDep, Desplazamiento
from api.models import geojson
from api.models.geografia import (
    LocalidadesGeoJSON,
    MunicipiosGeoJSON,
    PaginaLocalidades,
    PaginaMunicipios,
)
from boundaries.queries import MAX_PAGE_SIZE, Page, list_localidades, list_municipios

router = APIRouter(tags=["geografía"], responses=errors.responses(422, 503))


class FormatoGeografia(StrEnum):
    """Formato de la respuesta: JSON paginado o GeoJSON."""

    json = "json"
    geojson = "geojson"


FormatoDeRespuesta = Annotated[
    FormatoGeografia, Query(description="`json` (paginado) o `geojson` (con geometrías).")
]
Limite = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página.")]
Grados = Annotated[
    list[str] | None,
    Query(
        description="Grados de marginación (Muy bajo, Bajo, Medio, Alto, Muy alto); "
        "repetible o separados por coma."
    ),
]


@router.get(
    "/municipios",
    response_model=PaginaMunicipios,
    summary="Municipios con su índice de marginación",
    description="Los 570 municipios de Oaxaca con distrito, región, población (Censo 2020) y "
    "su índice de marginación más reciente (CONAPO), paginados; `formato=geojson` agrega los "
    "polígonos simplificados (INEGI, Marco Geoestadístico).",
    response_description="Una página de municipios (JSON o GeoJSON).",
    responses={200: {"content": geojson.content(MunicipiosGeoJSON)}},
)
def municipios(
    request: Request,
    conn: ConnDep,
    cvegeo: Annotated[str | None, Query(description="Clave INEGI de 5 dígitos.")] = None,
    grado: Grados = None,
    region: Annotated[str | None, Query(description="Región del estado.")] = None,
    distrito: Annotated[str | None, Query(description="Distrito rentístico.")] = None,
    formato: FormatoDeRespuesta = FormatoGeografia.json,
    simplificar: Annotated[
        float, Query(ge=0, le=0.1, description="Tolerancia en grados (GeoJSON).")
    ] = 0.001,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> dict[str, Any] | JSONResponse:
    """List municipalities; ``formato=geojson`` adds simplified polygons."""
    page = list_municipios(
        conn,
        cvegeo=cvegeo,
        grados=grado,
        region=region,
        distrito=distrito,
        limit=limite,
        offset=desplazamiento,
        geometry=formato is FormatoGeografia.geojson,
        tolerance=simplificar,
    )
    return _respond(request, page, formato)


@router.get(
    "/localidades",
    response_model=PaginaLocalidades,
    summary="Localidades con población y marginación",
    description="Localidades del Censo 2020 (ITER) con población y la mejor marginación "
    "disponible (localidad, AGEB urbanas o municipio, según exista), paginadas; "
    "`formato=geojson` las da como puntos.",
    response_description="Una página de localidades (JSON o GeoJSON).",
    responses={200: {"content": geojson.content(LocalidadesGeoJSON)}},
)
def localidades(
    request: Request,
    conn: ConnDep,
    municipio: Annotated[
        str | None, Query(description="Clave INEGI del municipio (5 dígitos).")
    ] = None,
    grado: Grados = None,
    poblacion_min: Annotated[
        int | None, Query(ge=0, le=2**31 - 1, description="Población mínima (Censo 2020).")
    ] = None,
    fuente: Annotated[
        str | None, Query(description="Fuente de la marginación: IML, IMU o IMM.")
    ] = None,
    formato: FormatoDeRespuesta = FormatoGeografia.json,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> dict[str, Any] | JSONResponse:
    """List localities with census population and best available marginality."""
    page = list_localidades(
        conn,
        municipio_cvegeo=municipio,
        grados=grado,
        poblacion_min=poblacion_min,
        fuente=fuente,
        limit=limite,
        offset=desplazamiento,
        geometry=formato is FormatoGeografia.geojson,
    )
    return _respond(request, page, formato)


def _respond(
    request: Request, page: Page, formato: FormatoGeografia
) -> dict[str, Any] | JSONResponse:
    following = None
    if page.offset + page.limit < page.total:
        following = str(request.url.include_query_params(desplazamiento=page.offset + page.limit))
    if formato is FormatoGeografia.json:
        return {
            "total": page.total,
            "limite": page.limit,
            "desplazamiento": page.offset,
            "siguiente": following,
            "elementos": page.items,
        }
    features = [
        {
            "type": "Feature",
            "id": item["cvegeo"],
            "geometry": item.pop("geometry"),
            "properties": item,
        }
        for item in page.items
    ]
    links = (
        [{"rel": "next", "href": following, "type": "application/geo+json"}] if following else []
    )
    return JSONResponse(
        {
            "type": "FeatureCollection",
            "numberMatched": page.total,
            "numberReturned": len(features),
            "links": links,
            "features": features,
        },
        media_type=geojson.GEOJSON,
    )
