"""New program simulation: the target population by locality for given eligibility rules, and
how much of it current programs already reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.groups import NAMED, Group, group_for
from geo.coverage.refresh import ensure_group
from geo.coverage.rules import Target
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter


@dataclass(frozen=True)
class Simulation:
    """Totals over the eligible localities and the localities with most people not yet reached."""

    grupo: str
    localidades: int
    poblacion_objetivo: int
    ya_atendidos: int | None
    """None when not every eligible locality's figure is known (published simulations)."""
    detalle: list[dict[str, Any]]


def check_target(target: Target, poblacion_min: int, limit: int) -> None:
    """Raise :class:`InvalidParameter`, in Spanish, for a simulation that cannot run."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidParameter(f"El límite debe estar entre 1 y {MAX_PAGE_SIZE}.")
    if poblacion_min < 0:
        raise InvalidParameter("La población mínima no puede ser negativa.")
    if (
        target.edad_min is not None
        and target.edad_max is not None
        and target.edad_min > target.edad_max
    ):
        raise InvalidParameter("La edad mínima no puede ser mayor que la máxima.")


def simulate(
    conn: Connection,
    target: Target,
    *,
    periodo: str | None = None,
    programas: list[str] | None = None,
    poblacion_min: int = 0,
    limit: int = 100,
) -> Simulation:
    """Estimate the target population of a new program by locality (census groups, prorated as
    in coverage) and the persons current programs already reach among it (age at their
    registration, sex, locality). Runs in the caller's transaction; a new census group is
    computed there (and kept only if the caller commits)."""
    check_target(target, poblacion_min, limit)
    group: Group = group_for(target.edad_min, target.edad_max, target.sexo) or NAMED["total"]
    ensure_group(conn, group)
    rows = [
        dict(r)
        for r in conn.execute(
            query("geo.coverage", "simulation.sql"),
            {
                "grupo": group.clave,
                "poblacion_min": poblacion_min,
                "grados": target.grados,
                "municipios": target.municipios,
                "localidades": target.localidades,
                "periodo": periodo,
                "programas": [p.upper() for p in programas] if programas else None,
                "sexo": {"M": "M", "H": "H"}.get(target.sexo or ""),
                "con_edad": target.edad_min is not None or target.edad_max is not None,
                "edad_min": target.edad_min or 0,
                "edad_max": target.edad_max if target.edad_max is not None else 200,
                "limite": limit,
            },
        ).mappings()
    ]
    first = dict(rows[0]) if rows else {}
    for row in rows:
        for key in ("localidades", "total_objetivo", "total_atendidos"):
            row.pop(key)
        row["poblacion_objetivo"] = float(row["poblacion_objetivo"] or 0)
        row["sin_atender"] = float(row["sin_atender"] or 0)
    return Simulation(
        grupo=group.descripcion,
        localidades=int(first.get("localidades", 0)),
        poblacion_objetivo=int(first.get("total_objetivo") or 0),
        ya_atendidos=int(first.get("total_atendidos") or 0),
        detalle=rows,
    )
