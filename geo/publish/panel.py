"""Admin control panel: the registry's state in one read.

Totals per program, duplicated support and the overlap of programs (persons in each pair),
coverage by region, program and municipality for one period, data quality overall and batch by
batch. Exact figures, for administrators only: counts, never a person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geo.coverage.queries import default_period
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter
from geo.resolve import duplicated_support


def _rows(conn: Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(query("geo.publish", name), params).mappings()]


def control_panel(
    conn: Connection, periodo: str | None = None, latest: int = 10, batches: int = 30
) -> dict[str, Any]:
    """Aggregates only: no personal data leaves this function.

    Coverage is of ``periodo`` (the newest period with coverage when None); the batch history
    covers the ``batches`` most recent batches, oldest first.
    """
    periods = [row["periodo"] for row in _rows(conn, "panel_periods.sql")]
    if periodo is not None and periodo not in periods:
        shown = ", ".join(p or "(sin periodo)" for p in periods[:10]) or "ninguno"
        raise InvalidParameter(f"Periodo sin cobertura: {periodo[:20]!r}. Periodos: {shown}.")
    period = periodo if periodo is not None else default_period(conn)
    duplicates = duplicated_support(conn)
    coverage = conn.execute(query("geo.publish", "panel_coverage.sql")).one()
    programs = sorted(duplicates.personas_por_programa)
    overlap = [
        [
            duplicates.personas_por_programa[a]
            if a == b
            else duplicates.pares_de_programas.get((min(a, b), max(a, b)), 0)
            for b in programs
        ]
        for a in programs
    ]
    regions = _rows(conn, "panel_region_coverage.sql", periodo=period or "")
    municipalities = _rows(conn, "panel_municipal_coverage.sql", periodo=period or "")
    return {
        "por_programa": _rows(conn, "panel_by_program.sql"),
        "duplicados": {
            "personas_por_programa": duplicates.personas_por_programa,
            "pares_de_programas": [
                {"programas": list(pair), "personas": count}
                for pair, count in sorted(duplicates.pares_de_programas.items())
            ],
            "inscripciones_repetidas": duplicates.duplicados_en_programa,
            "importe_involucrado": duplicates.importe_involucrado,
        },
        "traslape": {"programas": programs, "personas": overlap},
        "cobertura": {
            "personas": coverage.personas,
            "poblacion": coverage.poblacion,
            "pct": round(100 * coverage.personas / coverage.poblacion, 3)
            if coverage.poblacion
            else None,
        },
        "periodo": period,
        "periodos": periods,
        "regiones": [
            {**row, "cobertura": row["personas"] / row["poblacion"] if row["poblacion"] else None}
            for row in regions
        ],
        "municipios": [
            {**row, "cobertura": row["personas"] / row["poblacion"] if row["poblacion"] else None}
            for row in municipalities
        ],
        "calidad": {
            "por_precision": {
                r["precision"]: r["registros"] for r in _rows(conn, "panel_by_precision.sql")
            },
            "por_bandera": {r["bandera"]: r["registros"] for r in _rows(conn, "panel_by_flag.sql")},
        },
        "calidad_por_carga": _rows(conn, "panel_batch_quality.sql", n=batches),
        "ultimas_cargas": _rows(conn, "panel_latest_batches.sql", n=latest),
    }
