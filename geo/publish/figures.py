"""The figures of the public routes other than the table of cells, each read from the
publication (suppressed, or exact for planners and admins): duplicated support, anomalies,
rule violations, what has been computed, the persons reached for the gap ranking, and the
new-program simulation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from geo.coverage import tables as coverage
from geo.coverage.anomalies import incompatible_pairs
from geo.coverage.groups import NAMED, group_for
from geo.coverage.queries import default_period
from geo.coverage.refresh import ensure_group
from geo.coverage.rules import RULES, ProgramRules, Target
from geo.coverage.simulate import Simulation, check_target
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter
from geo.publish.publication import (
    ALL,
    SEVERAL,
    CellFilter,
    cells,
    indicators,
    pair,
    state_figures,
)

TARGET_RULES = ("edad_fuera_de_rango", "sexo_no_objetivo", "fuera_de_zona")
"""The violations that put a beneficiary outside the target population."""


def _period(conn: Connection, periodo: str | None) -> str | None:
    """The period asked for, or the one public views show by default."""
    return periodo if periodo is not None else default_period(conn)


def duplicated(conn: Connection, periodo: str | None, *, exact: bool) -> dict[str, Any]:
    """Who receives from several programs, or twice from one, in a period (the default one when
    None): persons per program, per pair of programs and in two or more (statewide and per
    municipality), repeated listings and what they and multi-program persons were paid."""
    used = _period(conn, periodo)
    empty: dict[str, Any] = {
        "periodo": used, "personas_por_programa": {}, "pares_de_programas": {},
        "personas_en_varios_programas": None, "importe_varios_programas": None,
        "varios_programas_por_municipio": {}, "duplicados_en_programa": {},
        "importe_repetido_en_programa": {}, "registros_retenidos": None,
    }  # fmt: skip
    if used is None:
        return empty
    state = state_figures(conn, used, exact=exact)
    municipal, _ = cells(
        conn, CellFilter(nivel="municipio", periodo=used, programa=SEVERAL), exact=exact
    )
    statewide = indicators(conn, used, exact=exact)
    programs = _programs(state)
    several = state.get(SEVERAL, {"personas": 0, "importe": 0})
    return {
        **empty,
        "personas_por_programa": {p: state[p]["personas"] for p in programs},
        "pares_de_programas": {c: v["personas"] for c, v in state.items() if "|" in c},
        "personas_en_varios_programas": several["personas"],
        "importe_varios_programas": _text(several["importe"]),
        "varios_programas_por_municipio": {
            r["clave"]: r["personas"] for r in municipal if r["personas"] != 0
        },
        "duplicados_en_programa": {
            p: statewide.get((p, "inscripciones_repetidas")) for p in programs
        },
        "importe_repetido_en_programa": {
            p: _text(statewide.get((p, "importe_repetido"))) for p in programs
        },
        "registros_retenidos": statewide.get((ALL, "registros_retenidos"), 0),
    }


def _programs(state: Mapping[str, Any]) -> list[str]:
    return sorted(c for c in state if c not in (ALL, SEVERAL) and "|" not in c)


def _text(value: float | int | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def anomalies(
    conn: Connection, rules: Mapping[str, ProgramRules], periodo: str | None, *, exact: bool
) -> dict[str, Any]:
    """Every anomaly of a period (the default one when None) as published figures: localities with
    more persons than inhabitants (only where their count is published), persons in programs
    declared incompatible, beneficiaries outside the target population, duplicated support
    and records with an untrusted place."""
    used = _period(conn, periodo)
    result: dict[str, Any] = {
        "periodo": used, "localidades_con_mas_beneficiarios_que_habitantes": [],
        "personas_en_programas_incompatibles": {}, "fuera_de_poblacion_objetivo": {},
        "apoyo_duplicado": {"inscripciones_repetidas_por_programa": {},
                            "personas_en_dos_programas": {},
                            "personas_en_varios_programas": None},
        "ubicacion_no_confiable_por_programa": {}, "reglas": RULES,
    }  # fmt: skip
    if used is None:
        return result
    localities, _ = cells(
        conn, CellFilter(nivel="localidad", periodo=used, programa=ALL), exact=exact
    )
    result["localidades_con_mas_beneficiarios_que_habitantes"] = sorted(
        (
            {"cvegeo": r["clave"], "nom_loc": r["nombre"], "nom_mun": r["nom_mun"],
             "pobtot": r["pobtot"], "personas": r["personas"]}
            for r in localities
            if r["personas"] is not None and r["pobtot"] is not None and r["personas"] > r["pobtot"]
        ),
        key=lambda r: (r["pobtot"] - r["personas"], r["cvegeo"]),
    )  # fmt: skip
    state = {c: v["personas"] for c, v in state_figures(conn, used, exact=exact).items()}
    result["personas_en_programas_incompatibles"] = {
        f"{a} y {b}": state.get(pair(a, b), 0) for a, b in incompatible_pairs(dict(rules))
    }
    statewide = indicators(conn, used, exact=exact)
    result["fuera_de_poblacion_objetivo"] = {
        programa: {
            rule: statewide[(programa, f"regla:{rule}")]
            for rule in TARGET_RULES
            if (programa, f"regla:{rule}") in statewide
        }
        for programa in rules
        if (programa, "registros") in statewide
    }
    programs = _programs(state)
    result["apoyo_duplicado"] = {
        "inscripciones_repetidas_por_programa": {
            p: statewide.get((p, "inscripciones_repetidas")) for p in programs
        },
        "personas_en_dos_programas": {
            name.replace("|", " y "): value for name, value in state.items() if "|" in name
        },
        "personas_en_varios_programas": state.get(SEVERAL, 0),
    }
    result["ubicacion_no_confiable_por_programa"] = {
        p: value for (p, name), value in statewide.items() if name == "ubicacion_no_confiable"
    }
    return result


def rule_counts(
    conn: Connection, rules: Mapping[str, ProgramRules], periodo: str | None, *, exact: bool
) -> list[dict[str, Any]]:
    """Records of each program with rules that break them, per rule, in a period (all periods
    when None)."""
    statewide = indicators(conn, "*" if periodo is None else periodo, exact=exact)
    found = []
    for programa in rules:
        if (programa, "registros") not in statewide:
            continue
        found.append(
            {
                "programa": programa,
                "registros": statewide[(programa, "registros")],
                "registros_con_violacion": statewide[(programa, "con_violacion")],
                "por_regla": {
                    name.removeprefix("regla:"): value
                    for (p, name), value in sorted(statewide.items())
                    if p == programa and name.startswith("regla:")
                },
            }
        )
    return found


def computed(conn: Connection, *, exact: bool) -> list[dict[str, Any]]:
    """Programs and periods computed, with their batches and when; the records counted of each
    only for planners and admins (beside the published persons they would give the listings
    repeated or not placed, which are published apart, under suppression)."""
    r = coverage.refresco
    rows = conn.execute(select(r).order_by(r.c.periodo.desc(), r.c.programa)).mappings()
    return [
        {
            "programa": row["programa"],
            "periodo": row["periodo"] or None,
            "cargas": list(row["cargas"]),
            "grupo": row["grupo"],
            "registros": row["registros"] if exact else None,
            "refrescado_en": row["refrescado_en"].isoformat(),
        }
        for row in rows
    ]


def published_reach(
    conn: Connection, periodo: str, programas: list[str], known: set[str]
) -> pl.DataFrame:
    """The gap ranking's persons reached as the publication shows them: all programs, or one;
    a union of some programs is not published."""
    if len(programas) > 1 and set(programas) != known:
        raise InvalidParameter(
            "Sin sesión, la cobertura se publica por programa o de todos juntos; la unión de "
            "varios programas requiere una sesión de planeación."
        )
    column = programas[0] if len(programas) == 1 else ALL
    rows = conn.execute(query("geo.publish", "reach.sql"), {"periodo": periodo}).all()
    present: dict[str, list[str]] = {}
    reached: dict[str, int | None] = {}
    for row in rows:
        if row.programa == column:
            reached[row.cvegeo] = row.personas
        if row.programa != ALL and (row.suprimida or row.personas):
            present.setdefault(row.cvegeo, []).append(row.programa)
    keys = sorted(set(present) | {c for c, v in reached.items() if v != 0})
    return pl.DataFrame(
        {
            "cvegeo": keys,
            "personas": [reached.get(c, 0) for c in keys],
            "programas_presentes": [sorted(present.get(c, [])) for c in keys],
        },
        schema={
            "cvegeo": pl.String,
            "personas": pl.Int64,
            "programas_presentes": pl.List(pl.String),
        },
    )


def simulation(
    conn: Connection,
    target: Target,
    *,
    periodo: str | None = None,
    programas: list[str] | None = None,
    poblacion_min: int = 0,
    limit: int = 100,
) -> Simulation:
    """The new-program simulation as the public sees it: the target population by locality
    (census, public) and, only for a target of everybody and for one program or all of them,
    the persons the publication shows reached (the exact simulation, by age and sex from the
    records, is for planners: :func:`geo.coverage.simulate.simulate`)."""
    check_target(target, poblacion_min, limit)
    group = group_for(target.edad_min, target.edad_max, target.sexo) or NAMED["total"]
    ensure_group(conn, group)
    used = _period(conn, periodo)
    chosen = sorted({p.upper() for p in programas or []})
    known = set(_programs(state_figures(conn, used, exact=False))) if used else set()
    column = None
    if group.clave == "total":
        if not chosen or set(chosen) == known:
            column = ALL
        elif len(chosen) == 1:
            column = chosen[0]
    rows = [
        dict(r)
        for r in conn.execute(
            query("geo.publish", "simulation.sql"),
            {
                "grupo": group.clave,
                "poblacion_min": poblacion_min,
                "grados": target.grados,
                "municipios": target.municipios,
                "localidades": target.localidades,
                "periodo": used,
                "columna": column,
                "limite": limit,
            },
        ).mappings()
    ]
    first = dict(rows[0]) if rows else {}
    for row in rows:
        for key in ("localidades", "total_objetivo", "total_atendidos"):
            row.pop(key)
        row["poblacion_objetivo"] = float(row["poblacion_objetivo"] or 0)
        if row["sin_atender"] is not None:
            row["sin_atender"] = float(row["sin_atender"])
    reached = first.get("total_atendidos")
    return Simulation(
        grupo=group.descripcion,
        localidades=int(first.get("localidades", 0)),
        poblacion_objetivo=int(first.get("total_objetivo") or 0),
        ya_atendidos=None if reached is None and rows else int(reached or 0),
        detalle=rows,
    )
