"""Reference geography: municipalities and localities, as JSON or GeoJSON, paginated."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import ConnDep, Desplazamiento
from boundaries.queries import MAX_PAGE_SIZE, Page, list_localidades, list_municipios

router = APIRouter(tags=["geografía"])


class Formato(StrEnum):
    """Response encodings."""

    json = "json"
    geojson = "geojson"


class Pagina(BaseModel):
    """A page of results."""

    total: int
    limite: int
    desplazamiento: int
    siguiente: str | None
    elementos: list[dict[str, Any]]


Limite = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página.")]
Grados = Annotated[
    list[str] | None,
    Query(
        description="Grados de marginación (Muy bajo, Bajo, Medio, Alto, Muy alto); "
        "repetible o separados por coma."
    ),
]


@router.get("/municipios", response_model=Pagina, summary="Municipios con su índice de marginación")
def municipios(
    request: Request,
    conn: ConnDep,
    cvegeo: Annotated[str | None, Query(description="Clave INEGI de 5 dígitos.")] = None,
    grado: Grados = None,
    region: str | None = None,
    distrito: str | None = None,
    formato: Formato = Formato.json,
    simplificar: Annotated[
        float, Query(ge=0, le=0.1, description="Tolerancia en grados (GeoJSON).")
    ] = 0.001,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> Any:
    """List municipalities; ``formato=geojson`` adds simplified polygons."""
    page = list_municipios(
        conn,
        cvegeo=cvegeo,
        grados=grado,
        region=region,
        distrito=distrito,
        limit=limite,
        offset=desplazamiento,
        geometry=formato is Formato.geojson,
        tolerance=simplificar,
    )
    return _respond(request, page, formato)


@router.get(
    "/localidades", response_model=Pagina, summary="Localidades con población y marginación"
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
    formato: Formato = Formato.json,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> Any:
    """List localities with census population and best available marginality."""
    page = list_localidades(
        conn,
        municipio_cvegeo=municipio,
        grados=grado,
        poblacion_min=poblacion_min,
        fuente=fuente,
        limit=limite,
        offset=desplazamiento,
        geometry=formato is Formato.geojson,
    )
    return _respond(request, page, formato)


def _respond(request: Request, page: Page, formato: Formato) -> Any:
    following = None
    if page.offset + page.limit < page.total:
        following = str(request.url.include_query_params(desplazamiento=page.offset + page.limit))
    if formato is Formato.json:
        return Pagina(
            total=page.total,
            limite=page.limit,
            desplazamiento=page.offset,
            siguiente=following,
            elementos=page.items,
        )
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
        media_type="application/geo+json",
    )
