"""Rules of operation as data: one YAML file per program, validated with pydantic, and the
violations of each record (``padron reglas validar``, ``GET /reglas/violaciones``).

A rules file (``reglas/<PROGRAMA>.yaml``; schema in ``docs/coverage.md``)::

    programa: PAM
    nombre: Pensión para adultos mayores
    fuente: Reglas de operación 2016 (DOF)
    poblacion_objetivo: {edad_min: 65, sexo: null, grados: [Alto, Muy alto]}
    incompatibles: [PROSPERA]
    montos: [{periodo: "2016", importe: 1160}]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection

from boundaries.queries import parse_grades
from geo.coverage.groups import Group, group_for
from geo.kernel.db import query, run_sql_file
from geo.kernel.errors import InvalidParameter

RULES = {
    "edad_fuera_de_rango": "edad al alta (o al inicio del periodo) fuera del rango objetivo",
    "sin_fecha_nacimiento": "sin fecha de nacimiento: la edad no se puede verificar",
    "sexo_no_objetivo": "sexo distinto del de la población objetivo",
    "fuera_de_zona": "localidad fuera de los grados, municipios o localidades objetivo",
    "programa_incompatible": "la persona recibe en el mismo periodo un programa incompatible",
    "importe_distinto": "importe distinto del monto del periodo",
}
"""Violation codes and what they mean (Spanish, for reports)."""


class Target(BaseModel):
    """Who a program is for; every field is optional (absent = no restriction)."""

    model_config = ConfigDict(extra="forbid")

    edad_min: int | None = Field(default=None, ge=0, le=120)
    edad_max: int | None = Field(default=None, ge=0, le=120)
    sexo: str | None = Field(default=None, pattern="^[MH]$", description="M mujeres, H hombres")
    grados: list[str] = Field(default_factory=list)
    municipios: list[str] = Field(default_factory=list)
    localidades: list[str] = Field(default_factory=list)

    @field_validator("grados")
    @classmethod
    def _grades(cls, value: list[str]) -> list[str]:
        return parse_grades(value) or []

    @field_validator("municipios")
    @classmethod
    def _municipalities(cls, value: list[str]) -> list[str]:
        if bad := [v for v in value if not (len(v) == 5 and v.isdigit())]:
            raise ValueError(f"claves de municipio de 5 dígitos; no válidas: {bad}")
        return value

    @field_validator("localidades")
    @classmethod
    def _localities(cls, value: list[str]) -> list[str]:
        if bad := [v for v in value if not (len(v) == 9 and v.isdigit())]:
            raise ValueError(f"claves de localidad de 9 dígitos; no válidas: {bad}")
        return value


class Amount(BaseModel):
    """The amount one beneficiary receives in a period."""

    model_config = ConfigDict(extra="forbid")

    periodo: str
    importe: Decimal = Field(ge=0)


class ProgramRules(BaseModel):
    """The rules of operation of one program."""

    model_config = ConfigDict(extra="forbid")

    programa: str = Field(pattern=r"^[A-Z0-9_-]{1,40}$")
    nombre: str
    fuente: str = Field(description="Where the rules come from (document, year).")
    poblacion_objetivo: Target = Field(default_factory=Target)
    incompatibles: list[str] = Field(default_factory=list)
    montos: list[Amount] = Field(default_factory=list)

    @property
    def grupo(self) -> Group | None:
        """Census group of the target population (None: everybody)."""
        t = self.poblacion_objetivo
        return group_for(t.edad_min, t.edad_max, t.sexo)


def load_rules(folder: Path) -> dict[str, ProgramRules]:
    """Every ``*.yaml`` in ``folder``; errors name the file and the field, in Spanish."""
    if not folder.is_dir():
        return {}
    rules: dict[str, ProgramRules] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            program = ProgramRules.model_validate(data)
        except yaml.YAMLError as error:
            raise InvalidParameter(f"{path.name}: YAML no válido ({error}).") from None
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(raíz)'}: {e['msg']}"
                for e in error.errors()
            )
            raise InvalidParameter(f"{path.name}: reglas no válidas: {problems}.") from None
        if program.programa in rules:
            raise InvalidParameter(f"{path.name}: el programa {program.programa} ya tiene reglas.")
        rules[program.programa] = program
    return rules


def target_groups(rules: dict[str, ProgramRules]) -> dict[str, Group]:
    """Program → census group it targets, for coverage ratios."""
    return {code: r.grupo for code, r in rules.items() if r.grupo is not None}


# -- violations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violations:
    """Counts per rule of one program, and the records (page) that break them."""

    programa: str
    registros: int
    por_regla: dict[str, int]
    registros_con_violacion: int
    detalle: list[dict[str, Any]]


def _params(rules: ProgramRules, periodo: str | None) -> dict[str, Any]:
    t = rules.poblacion_objetivo
    montos = [m for m in rules.montos if periodo is None or m.periodo == periodo]
    return {
        "programa": rules.programa,
        "periodo": periodo,
        "con_edad": t.edad_min is not None or t.edad_max is not None,
        "edad_min": t.edad_min,
        "edad_max": t.edad_max,
        "sexo": {"M": "M", "H": "H"}.get(t.sexo or "") if t.sexo else None,
        "grados": t.grados,
        "municipios": t.municipios,
        "localidades": t.localidades,
        "incompatibles": [p.upper() for p in rules.incompatibles],
        "montos_periodo": [m.periodo for m in montos],
        "montos_importe": [m.importe for m in montos],
    }


def violations(
    conn: Connection,
    rules: ProgramRules,
    *,
    periodo: str | None = None,
    detalle: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> Violations:
    """Check every record of the program (optionally one period) against its rules."""
    params = _params(rules, periodo)
    run_sql_file(conn, "geo.coverage", "violations.sql", **params)
    counts = conn.execute(query("geo.coverage", "violation_counts.sql")).all()
    distinct = conn.execute(query("geo.coverage", "violating_records.sql")).scalar_one()
    total = conn.execute(query("geo.coverage", "program_records.sql"), params).scalar_one()
    rows: list[dict[str, Any]] = []
    if detalle:
        page = {"limite": limit, "desplazamiento": offset}
        found = conn.execute(query("geo.coverage", "violation_details.sql"), page)
        rows = [dict(r) for r in found.mappings()]
    conn.execute(query("geo.coverage", "drop_violations.sql"))
    return Violations(
        programa=rules.programa,
        registros=int(total),
        por_regla={rule: int(n) for rule, n in sorted(counts)},
        registros_con_violacion=int(distinct),
        detalle=rows,
    )


def validate_all(
    conn: Connection, rules: Iterable[ProgramRules], periodo: str | None = None
) -> list[Violations]:
    """Counts for every program that has rules."""
    return [violations(conn, r, periodo=periodo) for r in rules]
