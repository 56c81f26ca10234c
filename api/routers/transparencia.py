"""Public transparency (no login, rate-limited): the publication's figures and downloads.

Everyone gets the suppressed figures; planners and admins who send their token get the exact
ones on the same URLs (:func:`api.security.sees_exact_figures`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from api import errors
from api.deps import ConnDep, SettingsDep, templates, threshold
from api.models import geojson
from api.models.transparencia import AnomaliasPublicas, Conteos, ConteosGeoJSON
from api.ratelimit import public_rate_limit
from api.security import OPTIONAL_LOGIN, ExactFigures
from geo.publish import publication, transparency

router = APIRouter(
    tags=["transparencia"],
    dependencies=[Depends(public_rate_limit)],
    responses=errors.responses(429),
)


Programa = Annotated[
    str | None,
    Query(max_length=80, description="Clave del programa; `*` todos (cada persona una vez), "
          "`2+` personas en dos o más, `A|B` personas en ambos."),
]  # fmt: skip
Periodo = Annotated[str | None, Query(max_length=40, description="Periodo.")]
Municipio = Annotated[
    str | None, Query(pattern=r"^\d{5}$", description="CVEGEO del municipio (5 dígitos).")
]
Nivel = Literal["estado", "region", "distrito", "municipio", "localidad"]
NIVEL = "estado, region, distrito, municipio o localidad."
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": geojson.GEOJSON,
    "gpkg": "application/geopackage+sqlite3",
}
FIGURES = {**errors.responses(401, 422, 503)}


@router.get(
    "/transparencia",
    response_class=HTMLResponse,
    tags=["páginas"],
    summary="Página de transparencia",
    description="Página pública: tablas por municipio, detalle por localidad y descargas, con "
    "los conteos ya suprimidos; no requiere sesión.",
    response_description="La página (HTML).",
)
def pagina(request: Request, conn: ConnDep, settings: SettingsDep) -> HTMLResponse:
    """Public page: tables by municipality, locality drill-down and downloads."""
    k = threshold(conn, settings)
    return templates.TemplateResponse(request, "transparencia.html", {"k": k})


@router.get(
    "/transparencia/conteos",
    response_model=Conteos,
    summary="Personas por programa y periodo (con supresión)",
    description="Personas únicas por programa, periodo y lugar (estado, región, distrito, "
    "municipio, localidad), con el importe pagado. Los conteos menores a k personas, y las "
    "cifras que permitirían deducirlos, se publican vacíos; con un token de planeación o "
    "administración, las cifras exactas.",
    response_description="Las filas publicadas.",
    responses=FIGURES,
    openapi_extra=OPTIONAL_LOGIN,
)
def conteos(
    conn: ConnDep,
    settings: SettingsDep,
    exact: ExactFigures,
    nivel: Annotated[Nivel | None, Query(description=NIVEL)] = None,
    programa: Programa = None,
    periodo: Periodo = None,
    cvegeo_mun: Municipio = None,
) -> dict[str, Any]:
    """Counts below k persons, and the cells that would reveal them, are published empty."""
    found = transparency.rows(
        conn, exact=exact, nivel=nivel, programa=programa, periodo=periodo, cvegeo_mun=cvegeo_mun
    )
    return {"k": threshold(conn, settings), "exactas": exact, "filas": found}


@router.get(
    "/transparencia/anomalias",
    response_model=AnomaliasPublicas,
    summary="Registros con banderas por municipio",
    description="Registros con cada bandera de calidad, por municipio; los conteos menores a k "
    "se publican vacíos (exactos con un token de planeación o administración).",
    response_description="Las filas publicadas.",
    responses=FIGURES,
    openapi_extra=OPTIONAL_LOGIN,
)
def anomalias(
    conn: ConnDep, settings: SettingsDep, exact: ExactFigures, cvegeo_mun: Municipio = None
) -> dict[str, Any]:
    """Records by flag and municipality; counts below k are suppressed."""
    found = publication.flags(conn, cvegeo_mun, exact=exact)
    return {"k": threshold(conn, settings), "exactas": exact, "filas": found}


@router.get(
    "/transparencia/descarga.{formato}",
    summary="Descargar los conteos (CSV, GeoJSON o GeoPackage)",
    description="Las mismas filas que `/transparencia/conteos`, como archivo; las geometrías "
    "son las públicas de INEGI (punto de la localidad, polígono simplificado de las demás "
    "áreas).",
    response_class=Response,
    responses={
        200: {
            "description": "El archivo.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                **geojson.content(ConteosGeoJSON),
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
    formato: Annotated[Literal["csv", "geojson", "gpkg"], Path(description="csv, geojson o gpkg.")],
    nivel: Annotated[Nivel, Query(description=NIVEL)] = "municipio",
    programa: Programa = None,
    periodo: Periodo = None,
    cvegeo_mun: Municipio = None,
) -> Response:
    """The same rows as ``/transparencia/conteos``; geometries are INEGI's public ones."""
    found = transparency.rows(
        conn, exact=exact, nivel=nivel, programa=programa, periodo=periodo, cvegeo_mun=cvegeo_mun
    )
    if formato == "csv":
        content: bytes | str = transparency.to_csv(found)
    else:
        shapes = transparency.geometries(conn, found)
        if formato == "geojson":
            content = transparency.to_geojson(found, shapes)
        else:
            content = transparency.to_geopackage(found, shapes)
    return Response(
        content,
        media_type=MEDIA_TYPES[formato],
        headers={"Content-Disposition": f'attachment; filename="transparencia_{nivel}.{formato}"'},
    )
