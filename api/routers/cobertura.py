"""Coverage tables and the gap ranking, from the publication: suppressed figures for the public,
exact ones for planners and admins who send their token (no personal data either way)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from api import errors
from api.deps import ConnDep, Desplazamiento
from api.models import geojson
from api.models.cobertura import (
    Calculada,
    CoberturaGeoJSON,
    PaginaDeBrechas,
    PaginaDeCobertura,
    PeriodoPredeterminado,
)
from api.security import OPTIONAL_LOGIN, ExactFigures
from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.queries import (
    USABLE_PLACED_SHARE,
    GapFilter,
    default_period,
    exact_reach,
    feature_collection,
    gaps,
)
from geo.publish import downloads, figures
from geo.publish.publication import CELL_COLUMNS, CellFilter, cells, iter_cells

router = APIRouter(tags=["cobertura"], responses=errors.responses(503))


class FormatoCobertura(StrEnum):
    """Formato de la tabla de cobertura: JSON paginado, CSV completo o GeoJSON."""

    json = "json"
    csv = "csv"
    geojson = "geojson"


class Nivel(StrEnum):
    """Nivel de agregación."""

    localidad = "localidad"
    municipio = "municipio"
    distrito = "distrito"
    region = "region"
    estado = "estado"


FIGURES = errors.responses(401, 422)


Limite = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página.")]
Grados = Annotated[
    list[str] | None,
    Query(description="Grados de marginación; repetible o separados por coma."),
]
Distrito = Annotated[str | None, Query(description="Distrito.")]
Region = Annotated[str | None, Query(description="Región.")]


@router.get(
    "/cobertura",
    response_model=PaginaDeCobertura,
    summary="Cobertura por área, programa y periodo (JSON, CSV o GeoJSON)",
    description="Personas únicas, importe, población censal (del grupo objetivo del programa) y "
    "cobertura por área, de la publicación: las cifras de menos de k personas, y las que "
    "permitirían deducirlas, son nulas (`suprimida`), salvo con un token de planeación o "
    "administración. `programa=*` da todos los programas juntos (cada persona una vez). "
    "`cobertura` es una fracción (0.25 = 25 %); el CSV trae todas las filas que cumplen los "
    "filtros, sin paginar.",
    response_description="Una página de la tabla (JSON o GeoJSON) o la tabla entera (CSV).",
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                **geojson.content(CoberturaGeoJSON),
            }
        },
        **FIGURES,
    },
    openapi_extra=OPTIONAL_LOGIN,
)
def cobertura(
    conn: ConnDep,
    exact: ExactFigures,
    nivel: Annotated[Nivel, Query(description="Nivel de agregación.")] = Nivel.municipio,
    programa: Annotated[
        str | None, Query(max_length=80, description="Clave del programa; `*`: todos.")
    ] = None,
    periodo: Annotated[str | None, Query(description="Periodo; vacío = sin periodo.")] = None,
    clave: Annotated[str | None, Query(description="Clave del área (CVEGEO o nombre).")] = None,
    municipio: Annotated[str | None, Query(description="Municipio (5 dígitos).")] = None,
    distrito: Distrito = None,
    region: Region = None,
    grado: Grados = None,
    formato: Annotated[
        FormatoCobertura, Query(description="`json` (paginado), `csv` (completo) o `geojson`.")
    ] = FormatoCobertura.json,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> dict[str, Any] | JSONResponse | StreamingResponse:
    """Unique persons, amount, census population (of the program's target group) and coverage
    ratio, as published; ``cobertura`` is a fraction; CSV returns every matching row."""
    f = CellFilter(
        nivel=nivel.value,
        programa=programa,
        periodo=periodo,
        clave=clave,
        municipio=municipio,
        distrito=distrito,
        region=region,
        grados=grado,
    )
    if formato is FormatoCobertura.csv:
        f.check()
        return StreamingResponse(
            iter([downloads.to_csv(iter_cells(conn, f, exact=exact), CELL_COLUMNS)]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="cobertura_{nivel.value}.csv"'},
        )
    rows, total = cells(
        conn,
        f,
        exact=exact,
        limit=limite,
        offset=desplazamiento,
        geometry=formato is FormatoCobertura.geojson,
    )
    for row in rows:
        row["poblacion_grupo"] = row.pop("poblacion")
    if formato is FormatoCobertura.geojson:
        return JSONResponse(feature_collection(rows, total), media_type="application/geo+json")
    return {"total": total, "limite": limite, "desplazamiento": desplazamiento, "elementos": rows}


@router.get(
    "/cobertura/calculada",
    response_model=list[Calculada],
    summary="Programas y periodos con cobertura calculada",
    description="Lo que `padron cobertura refrescar` ha calculado, de qué cargas y cuándo; "
    "los registros contados, solo con un token de planeación o administración.",
    response_description="Programas y periodos calculados, el periodo más reciente primero.",
    responses=errors.responses(401),
    openapi_extra=OPTIONAL_LOGIN,
)
def calculada(conn: ConnDep, exact: ExactFigures) -> list[dict[str, Any]]:
    """What ``padron cobertura refrescar`` has computed, from which batches and when."""
    return figures.computed(conn, exact=exact)


@router.get(
    "/cobertura/periodo",
    response_model=PeriodoPredeterminado,
    summary="Periodo predeterminado del mapa y las brechas",
    description="El periodo más reciente con una parte suficiente de sus registros ubicados "
    "(`umbral_ubicados`); un periodo cuyos registros no se pudieron ubicar no se muestra por "
    "omisión.",
    response_description="El periodo y el umbral aplicado.",
)
def periodo_predeterminado(conn: ConnDep) -> dict[str, Any]:
    """The period public views default to (:func:`geo.coverage.queries.default_period`)."""
    return {"periodo": default_period(conn), "umbral_ubicados": USABLE_PLACED_SHARE}


@router.get(
    "/cobertura/brechas",
    response_model=PaginaDeBrechas,
    summary="Localidades priorizadas para focalizar apoyos",
    description="Orden de prioridad: primero el grado de marginación, luego la menor cobertura "
    "y luego la mayor población; `motivo` dice por qué, en español. Las personas se cuentan "
    "una vez entre los programas elegidos. Sin sesión, las cifras son las de la publicación: "
    "un programa o todos, y una localidad de cifra suprimida se ordena como si no tuviera "
    "personas atendidas; con un token de planeación o administración, cifras exactas y "
    "cualquier combinación de programas.",
    response_description="Una página del orden de prioridad.",
    responses=FIGURES,
    openapi_extra=OPTIONAL_LOGIN,
)
def brechas(
    conn: ConnDep,
    exact: ExactFigures,
    periodo: Annotated[
        str | None,
        Query(description="Periodo (por omisión, el más reciente con registros ubicados)."),
    ] = None,
    programa: Annotated[
        list[str] | None,
        Query(description="Programas cuya cobertura se mide (todos por omisión); repetible."),
    ] = None,
    grado: Grados = None,
    poblacion_min: Annotated[
        int | None, Query(ge=0, le=2**31 - 1, description="Población mínima.")
    ] = None,
    cobertura_max: Annotated[
        float | None, Query(ge=0, le=1, description="Cobertura máxima (fracción: 0.1 = 10 %).")
    ] = None,
    municipio: Annotated[str | None, Query(description="Municipio (5 dígitos).")] = None,
    distrito: Distrito = None,
    region: Region = None,
    grupo: Annotated[
        str, Query(description="Grupo de población: total, mujeres, 65+, 6-17, M18-64…")
    ] = "total",
    limite: Limite = 50,
    desplazamiento: Desplazamiento = 0,
) -> dict[str, Any]:
    """Ranking: marginality grade first, then lowest coverage, then largest population;
    ``motivo`` says why, in Spanish. Persons are unique across the selected programs."""
    rows, total, used_period = gaps(
        conn,
        GapFilter(
            periodo=periodo,
            programas=programa,
            grados=grado,
            poblacion_min=poblacion_min,
            cobertura_max=cobertura_max,
            municipio=municipio,
            distrito=distrito,
            region=region,
            grupo=grupo,
        ),
        limit=limite,
        offset=desplazamiento,
        reach=exact_reach if exact else figures.published_reach,
    )
    return {
        "periodo": used_period or None,
        "total": total,
        "limite": limite,
        "desplazamiento": desplazamiento,
        "elementos": rows,
    }
