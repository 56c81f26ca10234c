"""Rules of operation, their violations, anomalies and the new-program simulation.

Counts come from the publication (suppressed for the public, exact for planners and admins who
send their token); record lists (batch, program, period, folio) need the admin token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from api import errors
from api.deps import ConnDep, Desplazamiento, SettingsDep, threshold
from api.models.reglas import (
    Anomalias,
    ConteoDeViolaciones,
    RegistroConUbicacionNoConfiable,
    RegistroEnProgramaIncompatible,
    Reglas,
    ResultadoDeSimulacion,
    Simulacion,
    ViolacionesDelPrograma,
)
from api.security import AUTH_ERRORS, OPTIONAL_LOGIN, AdminUser, ExactFigures
from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.anomalies import KINDS, anomaly_records
from geo.coverage.rules import RULES, load_rules, violations
from geo.coverage.simulate import simulate
from geo.kernel.errors import NotFound
from geo.publish import figures

router = APIRouter(tags=["reglas y anomalías"])

Limite = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página.")]
Periodo = Annotated[str | None, Query(description="Periodo (todos si falta).")]
ADMIN_ERRORS = {**AUTH_ERRORS, **errors.responses(422, 503)}


@router.get(
    "/reglas",
    response_model=Reglas,
    summary="Reglas de operación cargadas (una por programa)",
    description="Las reglas de operación de cada programa (archivos YAML de la carpeta de "
    "reglas) y los códigos de violación con su significado.",
    response_description="Las reglas y los códigos de violación.",
)
def reglas(settings: SettingsDep) -> dict[str, Any]:
    """The rules files of ``PADRON_REGLAS_DIR`` and the violation codes."""
    rules = load_rules(settings.reglas_dir)
    return {"programas": [r.model_dump() for r in rules.values()], "violaciones": RULES}


@router.get(
    "/reglas/violaciones",
    response_model=list[ConteoDeViolaciones],
    summary="Violaciones a las reglas por programa (conteos)",
    description="Registros de cada programa que violan sus reglas, por regla, según la "
    "publicación (calculada con las reglas vigentes al último refresco); los conteos menores "
    "a k, y los que permitirían deducirlos, son nulos salvo con un token de planeación o "
    "administración. Los registros mismos están en `/reglas/{programa}/violaciones`.",
    response_description="Los conteos de cada programa con reglas.",
    responses=errors.responses(401, 422, 503),
    openapi_extra=OPTIONAL_LOGIN,
)
def violaciones(
    conn: ConnDep, settings: SettingsDep, exact: ExactFigures, periodo: Periodo = None
) -> list[dict[str, Any]]:
    """Counts per program and rule; the records are at ``/reglas/{programa}/violaciones``."""
    return figures.rule_counts(conn, load_rules(settings.reglas_dir), periodo, exact=exact)


@router.get(
    "/reglas/{programa}/violaciones",
    response_model=ViolacionesDelPrograma,
    summary="Registros que violan las reglas (administración)",
    description="Carga, folio, periodo, regla y detalle de cada violación de un programa, sin "
    "nombres, CURP ni puntos. Solo administración.",
    response_description="Una página de violaciones.",
    responses={**ADMIN_ERRORS, **errors.responses(404)},
)
def violaciones_programa(
    _: AdminUser,
    conn: ConnDep,
    settings: SettingsDep,
    programa: Annotated[str, PathParam(description="Clave del programa.")],
    periodo: Periodo = None,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> dict[str, Any]:
    """Batch, folio, period, rule and detail of each violation (no names, CURP or points)."""
    rules = load_rules(settings.reglas_dir)
    if programa.upper() not in rules:
        raise NotFound(f"El programa {programa!r} no tiene reglas de operación cargadas.")
    found = violations(
        conn, rules[programa.upper()], periodo=periodo, detalle=True, limit=limite,
        offset=desplazamiento,
    )  # fmt: skip
    return {
        "programa": found.programa,
        "por_regla": found.por_regla,
        "registros_con_violacion": found.registros_con_violacion,
        "elementos": found.detalle,
    }


@router.get(
    "/anomalias",
    response_model=Anomalias,
    summary="Anomalías: conteos y localidades sobrecubiertas",
    description="En un periodo (por omisión, el más reciente): localidades con más "
    "beneficiarios que habitantes, personas en programas incompatibles, beneficiarios fuera de "
    "la población objetivo, apoyos duplicados y ubicaciones no confiables; solo conteos de la "
    "publicación (exactos con un token de planeación o administración).",
    response_description="Los conteos de cada anomalía.",
    responses=errors.responses(401, 422, 503),
    openapi_extra=OPTIONAL_LOGIN,
)
def anomalias(
    conn: ConnDep,
    settings: SettingsDep,
    exact: ExactFigures,
    periodo: Annotated[str | None, Query(description="Periodo (el más reciente si falta).")] = None,
) -> dict[str, Any]:
    """Localities with more beneficiaries than inhabitants, incompatible programs,
    out-of-target beneficiaries, duplicated support, untrusted locations."""
    found = figures.anomalies(conn, load_rules(settings.reglas_dir), periodo, exact=exact)
    return {"k": threshold(conn, settings), "exactas": exact, **found}


@router.get(
    "/anomalias/registros",
    response_model=list[RegistroConUbicacionNoConfiable | RegistroEnProgramaIncompatible],
    summary="Registros de una anomalía (administración)",
    description="Carga, programa, periodo y folio de cada registro detrás de una anomalía: "
    f"{' o '.join(KINDS)}. Solo administración.",
    response_description="Una página de registros.",
    responses=ADMIN_ERRORS,
)
def anomalias_registros(
    _: AdminUser,
    conn: ConnDep,
    settings: SettingsDep,
    tipo: Annotated[str, Query(description=" o ".join(KINDS))],
    periodo: Periodo = None,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> list[dict[str, Any]]:
    """Batch, program, period and folio of each record behind an anomaly."""
    return anomaly_records(
        conn, tipo, load_rules(settings.reglas_dir), periodo, limit=limite, offset=desplazamiento
    )


@router.post(
    "/cobertura/simulacion",
    response_model=ResultadoDeSimulacion,
    summary="Simular un programa nuevo",
    description="Población objetivo de un programa nuevo por localidad (grupos censales, "
    "prorrateados como en la cobertura) y cuántas de esas personas ya atienden los programas "
    "actuales. Sin sesión, las personas atendidas son las de la publicación (para una "
    "población objetivo de todas las edades y sexos, y un programa o todos), nulas donde se "
    "suprimieron; con un token de planeación o administración, el cálculo exacto por edad y "
    "sexo de los registros.",
    response_description="Los totales y las localidades con más población por atender.",
    responses=errors.responses(401, 422, 503),
    openapi_extra=OPTIONAL_LOGIN,
)
def simulacion(conn: ConnDep, exact: ExactFigures, body: Simulacion) -> dict[str, Any]:
    """Target population by locality and how much of it current programs already reach."""
    result = (simulate if exact else figures.simulation)(
        conn,
        body.poblacion_objetivo,
        periodo=body.periodo,
        programas=body.programas,
        poblacion_min=body.poblacion_min,
        limit=body.limite,
    )
    return {
        "exactas": exact,
        "grupo": result.grupo,
        "localidades": result.localidades,
        "poblacion_objetivo": result.poblacion_objetivo,
        "ya_atendidos": result.ya_atendidos,
        "elementos": result.detalle,
    }
