"""Admin control panel: the registry's state in one read (totals, duplicates, quality, ingests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from geo.resolve import duplicated_support

_BY_PROGRAM = text(
    """
    SELECT r.programa, count(*)::int AS registros,
           count(DISTINCT a.persona_id)::int AS personas, sum(r.importe) AS importe
    FROM padron.registro r LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    GROUP BY 1 ORDER BY 1
    """
)
_COVERAGE = text(
    """
    SELECT count(DISTINCT persona_id)::int AS personas,
           (SELECT sum(pob_2020) FROM boundaries.municipio)::bigint AS poblacion
    FROM padron.asignacion
    """
)
_BY_PRECISION = text(
    "SELECT precision, count(*)::int AS registros FROM padron.ubicacion GROUP BY 1 ORDER BY 2 DESC"
)
_BY_FLAG = text(
    """
    SELECT f.bandera, count(*)::int AS registros
    FROM padron.registro r
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    CROSS JOIN LATERAL unnest(r.banderas || coalesce(u.banderas, '{}')) AS f(bandera)
    GROUP BY 1 ORDER BY 2 DESC, 1
    """
)
_LATEST = text(
    """
    SELECT id AS carga, programa, periodo, archivo, filas_leidas, filas_cargadas,
           filas_rechazadas, terminada_en, usuario
    FROM padron.carga ORDER BY id DESC LIMIT :n
    """
)


def control_panel(conn: Connection, latest: int = 10) -> dict[str, Any]:
    """Aggregates only: no personal data leaves this function."""
    duplicates = duplicated_support(conn)
    coverage = conn.execute(_COVERAGE).one()
    return {
        "por_programa": [dict(r) for r in conn.execute(_BY_PROGRAM).mappings()],
        "duplicados": {
            "personas_por_programa": duplicates.personas_por_programa,
            "pares_de_programas": [
                {"programas": list(pair), "personas": count}
                for pair, count in sorted(duplicates.pares_de_programas.items())
            ],
            "inscripciones_repetidas": duplicates.duplicados_en_programa,
            "importe_involucrado": duplicates.importe_involucrado,
        },
        "cobertura": {
            "personas": coverage.personas,
            "poblacion": coverage.poblacion,
            "pct": round(100 * coverage.personas / coverage.poblacion, 3)
            if coverage.poblacion
            else None,
        },
        "calidad": {
            "por_precision": {r.precision: r.registros for r in conn.execute(_BY_PRECISION)},
            "por_bandera": {r.bandera: r.registros for r in conn.execute(_BY_FLAG)},
        },
        "ultimas_cargas": [dict(r) for r in conn.execute(_LATEST, {"n": latest}).mappings()],
    }
