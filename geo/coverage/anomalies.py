"""What a citizen or an auditor would look for: counts (public) and record lists (protected).

Counts and the over-covered localities are aggregates; record lists carry batch, program,
period and folio only — never names, CURP or points — and the API serves them to admins only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection

from geo.coverage.rules import RULES, ProgramRules, violations
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter
from geo.resolve import duplicated_support

UNTRUSTED_PRECISIONS = ("municipio", "sin_ubicar")
UNTRUSTED_FLAGS = (
    "coord_fuera_de_municipio",
    "coord_lejos_de_localidad",
    "coord_fuera_de_oaxaca",
    "municipio_ambiguo",
    "localidad_ambigua",
    "nombre_aproximado",
    "sin_lugar_declarado",
)
"""A location is not to be trusted when it is only a municipality (or nothing), or when the
geocoder had to guess or found the point contradicting the declared place."""

KINDS = ("programa_incompatible", "ubicacion_no_confiable")
"""Record lists available through :func:`anomaly_records`."""


def incompatible_pairs(rules: dict[str, ProgramRules]) -> list[tuple[str, str]]:
    """Pairs of programs declared incompatible by either program's rules (sorted, once)."""
    pairs = {
        tuple(sorted((code, other.upper())))
        for code, r in rules.items()
        for other in r.incompatibles
    }
    return sorted((a, b) for a, b in pairs)


def anomaly_counts(
    conn: Connection, rules: dict[str, ProgramRules], periodo: str | None
) -> dict[str, Any]:
    """Every anomaly as counts, plus the list of over-covered localities (aggregated)."""
    overcovered: list[dict[str, Any]] = []
    if periodo is not None:
        rows = conn.execute(
            query("geo.coverage", "overcovered_localities.sql"), {"periodo": periodo}
        )
        overcovered = [dict(r) for r in rows.mappings()]
    untrusted: Counter[str] = Counter()
    for period, programa, count in untrusted_locations(conn):
        if periodo is None or period == periodo:
            untrusted[programa] += count
    pairs = {
        f"{a} y {b}": int(
            conn.execute(
                query("geo.coverage", "incompatible_persons.sql"),
                {"a": a, "b": b, "periodo": periodo},
            ).scalar_one()
        )
        for a, b in incompatible_pairs(rules)
    }
    outside: dict[str, dict[str, int]] = {}
    for code, r in rules.items():
        found = violations(conn, r, periodo=periodo).por_regla
        outside[code] = {
            k: v
            for k, v in found.items()
            if k in ("edad_fuera_de_rango", "sexo_no_objetivo", "fuera_de_zona")
        }
    duplicated = duplicated_support(conn)
    return {
        "periodo": periodo,
        "localidades_con_mas_beneficiarios_que_habitantes": overcovered,
        "personas_en_programas_incompatibles": pairs,
        "fuera_de_poblacion_objetivo": outside,
        "apoyo_duplicado": {
            "inscripciones_repetidas_por_programa": duplicated.duplicados_en_programa,
            "personas_en_dos_programas": {
                f"{a} y {b}": n for (a, b), n in duplicated.pares_de_programas.items()
            },
            "importe_involucrado": duplicated.importe_involucrado,
        },
        "ubicacion_no_confiable_por_programa": dict(sorted(untrusted.items())),
        "reglas": RULES,
    }


def untrusted_locations(conn: Connection) -> list[tuple[str, str, int]]:
    """(period, program, records) of the records whose place is not to be trusted
    (:data:`UNTRUSTED_PRECISIONS`, :data:`UNTRUSTED_FLAGS`); a period without a name is ``''``."""
    rows = conn.execute(
        query("geo.coverage", "untrusted_locations.sql"),
        {"precisiones": list(UNTRUSTED_PRECISIONS), "banderas": list(UNTRUSTED_FLAGS)},
    )
    return [(r.periodo, r.programa, int(r.registros)) for r in rows]


def anomaly_records(
    conn: Connection,
    kind: str,
    rules: dict[str, ProgramRules],
    periodo: str | None,
    *,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Records behind one anomaly: batch, program, period, folio and why (no personal data)."""
    if kind not in KINDS:
        raise InvalidParameter(
            f"Tipo de anomalía desconocido: {kind!r}. Tipos: {', '.join(KINDS)}."
        )
    page = {"limite": limit, "desplazamiento": offset}
    if kind == "ubicacion_no_confiable":
        params = {"periodo": periodo, "precisiones": list(UNTRUSTED_PRECISIONS),
                  "banderas": list(UNTRUSTED_FLAGS), **page}  # fmt: skip
        records = query("geo.coverage", "untrusted_location_records.sql")
        return [dict(r) for r in conn.execute(records, params).mappings()]
    rows: list[dict[str, Any]] = []
    records = query("geo.coverage", "incompatible_records.sql")
    for a, b in incompatible_pairs(rules):
        rows.extend(
            dict(r) for r in conn.execute(records, {"a": a, "b": b, "periodo": periodo}).mappings()
        )
    return rows[offset : offset + limit]
