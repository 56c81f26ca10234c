"""Public transparency (no login, rate-limited): counts with k-suppression and downloads."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from api import errors
from api.deps import ConnDep, SettingsDep, templates
from api.models import geojson
from api.models.transparencia import AnomaliasPublicas, Conteos, ConteosGeoJSON
from api.ratelimit import public_rate_limit
from api.settings import Settings
from geo.publish import transparency

router = APIRouter(
    tags=["transparencia"],
    dependencies=[Depends(public_rate_limit)],
    responses=errors.responses(429),
)


def _table(request: Request, conn: Connection, settings: Settings) -> transparency.PublicTable:
    """The suppressed publication, rebuilt at most every ``transparency_cache_seconds``: a public
    request must not cost a scan of the whole registry."""
    cached = getattr(request.app.state, "transparency", None)
    now = time.monotonic()
    if cached and now - cached[0] < settings.transparency_cache_seconds:
        table: transparency.PublicTable = cached[1]
        return table
    table = transparency.build(conn, settings.k_anonimato)
    request.app.state.transparency = (now, table)
    return table


Programa = Annotated[str | None, Query(max_length=40, description="Clave del programa.")]
Periodo = Annotated[str | None, Query(max_length=40, description="Periodo.")]
Municipio = Annotated[
    str | None, Query(pattern=r"^\d{5}$", description="CVEGEO del municipio (5 dígitos).")
]
Nivel = Literal["estado", "municipio", "localidad"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": geojson.GEOJSON,
    "gpkg": "application/geopackage+sqlite3",
}


@router.get(
    "/transparencia",
    response_class=HTMLResponse,
    tags=["páginas"],
    summary="Página de transparencia",
    description="Página pública: tablas por municipio, detalle por localidad y descargas, con "
    "los conteos ya suprimidos; no requiere sesión.",
    response_description="La página (HTML).",
)
def pagina(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Public page: tables by municipality, locality drill-down and downloads."""
    return templates.TemplateResponse(request, "transparencia.html", {"k": settings.k_anonimato})


@router.get(
    "/transparencia/conteos",
    response_model=Conteos,
    summary="Personas por programa y periodo (con supresión)",
    description="Personas únicas por programa, periodo y lugar (estado, municipio, localidad). "
    "Los conteos menores a k personas, y las celdas que permitirían deducirlos, se publican "
    "vacíos; los filtros se aplican después de la supresión.",
    response_description="Las filas publicadas.",
    responses=errors.responses(422, 503),
)
def conteos(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    nivel: Annotated[Nivel | None, Query(description="estado, municipio o localidad.")] = None,
    programa: Programa = None,
    periodo: Periodo = None,
    cvegeo_mun: Municipio = None,
) -> dict[str, Any]:
    """Counts below k persons, and the cells that would reveal them, are published empty."""
    table = _table(request, conn, settings)
    rows = transparency.select_rows(table, nivel, programa, periodo, cvegeo_mun)
    return {"k": table.k, "filas": rows}


@router.get(
    "/transparencia/anomalias",
    response_model=AnomaliasPublicas,
    summary="Registros con banderas por municipio",
    description="Registros con cada bandera de calidad, por municipio; los conteos menores a k "
    "se publican vacíos.",
    response_description="Las filas publicadas.",
    responses=errors.responses(422, 503),
)
def anomalias(
    request: Request, conn: ConnDep, settings: SettingsDep, cvegeo_mun: Municipio = None
) -> dict[str, Any]:
    """Records by flag and municipality; counts below k are suppressed."""
    table = _table(request, conn, settings)
    rows = [r for r in table.anomalias if cvegeo_mun is None or r["cvegeo_mun"] == cvegeo_mun]
    return {"k": table.k, "filas": rows}


@router.get(
    "/transparencia/descarga.{formato}",
    summary="Descargar los conteos (CSV, GeoJSON o GeoPackage)",
    description="Las mismas filas que `/transparencia/conteos`, como archivo; las geometrías "
    "son las públicas de INEGI (punto de la localidad, polígono simplificado del municipio).",
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
        **errors.responses(422, 503),
    },
)
def descarga(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    formato: Annotated[Literal["csv", "geojson", "gpkg"], Path(description="csv, geojson o gpkg.")],
    nivel: Annotated[Nivel, Query(description="estado, municipio o localidad.")] = "municipio",
    programa: Programa = None,
    periodo: Periodo = None,
    cvegeo_mun: Municipio = None,
) -> Response:
    """The same rows as ``/transparencia/conteos``; geometries are INEGI's public ones."""
    table = _table(request, conn, settings)
    rows = transparency.select_rows(table, nivel, programa, periodo, cvegeo_mun)
    if formato == "csv":
        content: bytes | str = transparency.to_csv(rows)
    else:
        shapes = transparency.geometries(conn, rows)
        if formato == "geojson":
            content = json.dumps(transparency.to_geojson(rows, shapes), ensure_ascii=False)
        else:
            content = transparency.to_geopackage(rows, shapes)
    return Response(
        content,
        media_type=MEDIA_TYPES[formato],
        headers={"Content-Disposition": f'attachment; filename="transparencia_{nivel}.{formato}"'},
    )
