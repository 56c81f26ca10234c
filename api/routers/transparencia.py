"""Public transparency (no login, rate-limited): counts with k-suppression and downloads."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from api.deps import ConnDep, SettingsDep, templates
from api.ratelimit import public_rate_limit
from api.settings import Settings
from geo.publish import transparency

router = APIRouter(tags=["transparencia"], dependencies=[Depends(public_rate_limit)])


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


@router.get("/transparencia", response_class=HTMLResponse, include_in_schema=False)
def pagina(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Public page: tables by municipality, locality drill-down and downloads."""
    return templates.TemplateResponse(request, "transparencia.html", {"k": settings.k_anonimato})


@router.get("/transparencia/conteos", summary="Personas por programa y periodo (con supresión)")
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


@router.get("/transparencia/anomalias", summary="Registros con banderas por municipio")
def anomalias(
    request: Request, conn: ConnDep, settings: SettingsDep, cvegeo_mun: Municipio = None
) -> dict[str, Any]:
    """Records by flag and municipality; counts below k are suppressed."""
    table = _table(request, conn, settings)
    rows = [r for r in table.anomalias if cvegeo_mun is None or r["cvegeo_mun"] == cvegeo_mun]
    return {"k": table.k, "filas": rows}


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


@router.get(
    "/transparencia/descarga.{formato}",
    summary="Descargar los conteos (CSV, GeoJSON o GeoPackage)",
    response_class=Response,
)
def descarga(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    formato: Literal["csv", "geojson", "gpkg"],
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
            import json

            content = json.dumps(transparency.to_geojson(rows, shapes), ensure_ascii=False)
        else:
            content = transparency.to_geopackage(rows, shapes)
    return Response(
        content,
        media_type=MEDIA_TYPES[formato],
        headers={"Content-Disposition": f'attachment; filename="transparencia_{nivel}.{formato}"'},
    )
