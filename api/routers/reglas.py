"""Rules of operation, their violations, anomalies and the new-program simulation.

Counts are public aggregates; record lists (batch, program, period, folio) need the admin token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import ConnDep, Desplazamiento, SettingsDep
from api.security import AdminUser
from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.anomalies import anomaly_counts, anomaly_records
from geo.coverage.rules import RULES, Target, load_rules, violations
from geo.coverage.simulate import simulate
from geo.kernel.errors import NotFound

router = APIRouter(tags=["reglas y anomalías"])

Limite = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página.")]
Periodo = Annotated[str | None, Query(description="Periodo (todos si falta).")]


@router.get("/reglas", summary="Reglas de operación cargadas (una por programa)")
def reglas(settings: SettingsDep) -> dict[str, Any]:
    """The rules files of ``PADRON_REGLAS_DIR`` and the violation codes."""
    rules = load_rules(settings.reglas_dir)
    return {
        "programas": [r.model_dump(mode="json") for r in rules.values()],
        "violaciones": RULES,
    }


@router.get("/reglas/violaciones", summary="Violaciones a las reglas por programa (conteos)")
def violaciones(conn: ConnDep, settings: SettingsDep, periodo: Periodo = None) -> list[Any]:
    """Counts per program and rule; the records are at ``/reglas/{programa}/violaciones``."""
    return [
        {
            "programa": v.programa,
            "registros": v.registros,
            "registros_con_violacion": v.registros_con_violacion,
            "por_regla": v.por_regla,
        }
        for v in (
            violations(conn, r, periodo=periodo) for r in load_rules(settings.reglas_dir).values()
        )
    ]


@router.get(
    "/reglas/{programa}/violaciones", summary="Registros que violan las reglas (administración)"
)
def violaciones_programa(
    _: AdminUser,
    conn: ConnDep,
    settings: SettingsDep,
    programa: str,
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


@router.get("/anomalias", summary="Anomalías: conteos y localidades sobrecubiertas")
def anomalias(conn: ConnDep, settings: SettingsDep, periodo: Periodo = None) -> dict[str, Any]:
    """Localities with more beneficiaries than inhabitants (needs a period), incompatible
    programs, out-of-target beneficiaries, duplicated support, untrusted locations."""
    return anomaly_counts(conn, load_rules(settings.reglas_dir), periodo)


@router.get("/anomalias/registros", summary="Registros de una anomalía (administración)")
def anomalias_registros(
    _: AdminUser,
    conn: ConnDep,
    settings: SettingsDep,
    tipo: Annotated[str, Query(description="programa_incompatible o ubicacion_no_confiable")],
    periodo: Periodo = None,
    limite: Limite = 100,
    desplazamiento: Desplazamiento = 0,
) -> list[dict[str, Any]]:
    """Batch, program, period and folio of each record behind an anomaly."""
    return anomaly_records(
        conn, tipo, load_rules(settings.reglas_dir), periodo, limit=limite, offset=desplazamiento
    )


class Simulacion(BaseModel):
    """Eligibility of a new program and what to compare it with."""

    poblacion_objetivo: Target = Field(default_factory=Target)
    periodo: str | None = None
    programas: list[str] | None = Field(
        default=None, description="Programas actuales a considerar (todos si falta)."
    )
    poblacion_min: int = Field(default=0, ge=0, le=2**31 - 1)
    limite: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)


@router.post("/cobertura/simulacion", summary="Simular un programa nuevo")
def simulacion(conn: ConnDep, body: Simulacion) -> dict[str, Any]:
    """Target population by locality and how much of it current programs already reach."""
    result = simulate(
        conn,
        body.poblacion_objetivo,
        periodo=body.periodo,
        programas=body.programas,
        poblacion_min=body.poblacion_min,
        limit=body.limite,
    )
    return {
        "grupo": result.grupo,
        "localidades": result.localidades,
        "poblacion_objetivo": result.poblacion_objetivo,
        "ya_atendidos": result.ya_atendidos,
        "elementos": result.detalle,
    }
