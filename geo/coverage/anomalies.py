"""What a citizen or an auditor would look for: counts (public) and record lists (protected).

Counts and the over-covered localities are aggregates; record lists carry batch, program,
period and folio only — never names, CURP or points — and the API serves them to admins only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from geo.coverage.rules import RULES, ProgramRules, violations
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

_OVERCOVERED = text(
    """
    SELECT a.clave AS cvegeo, a.nombre AS nom_loc, a.nom_mun, a.pobtot, x.personas
    FROM (SELECT clave, sum(personas) AS personas FROM analisis.combinacion
          WHERE periodo = :periodo AND nivel = 'localidad' GROUP BY clave) x
    JOIN analisis.area a ON a.nivel = 'localidad' AND a.clave = x.clave
    WHERE x.personas > a.pobtot
    ORDER BY x.personas - a.pobtot DESC, a.clave
    """
)

_UNTRUSTED = """
    FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
    WHERE (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
      AND (u.precision = ANY(CAST(:precisiones AS text[]))
           OR u.banderas && CAST(:banderas AS text[]))
"""

_INCOMPATIBLE = """
    FROM padron.registro a
    JOIN padron.asignacion pa ON pa.registro_id = a.id
    JOIN padron.asignacion pb ON pb.persona_id = pa.persona_id
    JOIN padron.registro b ON b.id = pb.registro_id AND b.carga_id = pb.carga_id
     AND b.periodo IS NOT DISTINCT FROM a.periodo AND a.programa = :a AND b.programa = :b
    WHERE (CAST(:periodo AS text) IS NULL OR a.periodo = :periodo)
"""


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
    params = {"periodo": periodo, "precisiones": list(UNTRUSTED_PRECISIONS),
              "banderas": list(UNTRUSTED_FLAGS)}  # fmt: skip
    overcovered = (
        [dict(r) for r in conn.execute(_OVERCOVERED, {"periodo": periodo}).mappings()]
        if periodo is not None
        else []
    )
    untrusted: dict[str, int] = dict(
        conn.execute(
            text(f"SELECT r.programa, count(*) {_UNTRUSTED} GROUP BY r.programa"),
            params,
        ).all()
    )
    pairs = {
        f"{a} y {b}": int(
            conn.execute(
                text(f"SELECT count(DISTINCT pa.persona_id) {_INCOMPATIBLE}"),
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
        "ubicacion_no_confiable_por_programa": {k: int(v) for k, v in untrusted.items()},
        "reglas": RULES,
    }


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
        sql = (
            "SELECT r.carga_id AS carga, r.programa, r.periodo, r.folio, u.precision, "
            f"array_to_string(u.banderas, ';') AS banderas {_UNTRUSTED} "
            "ORDER BY r.carga_id, r.folio LIMIT :limite OFFSET :desplazamiento"
        )
        params = {"periodo": periodo, "precisiones": list(UNTRUSTED_PRECISIONS),
                  "banderas": list(UNTRUSTED_FLAGS), **page}  # fmt: skip
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]
    rows: list[dict[str, Any]] = []
    for a, b in incompatible_pairs(rules):
        sql = (
            "SELECT a.carga_id AS carga, a.programa, a.periodo, a.folio, "
            f"b.programa || ' ' || b.folio AS tambien_en {_INCOMPATIBLE} "
            "ORDER BY a.carga_id, a.folio"
        )
        rows.extend(
            dict(r)
            for r in conn.execute(text(sql), {"a": a, "b": b, "periodo": periodo}).mappings()
        )
    return rows[offset : offset + limit]
