"""New program simulation: the target population by locality for given eligibility rules, and
how much of it current programs already reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.groups import NAMED, Group, group_for
from geo.coverage.refresh import ensure_group
from geo.coverage.rules import Target
from geo.kernel.errors import InvalidParameter

_SIMULATION_SQL = """
WITH objetivo AS (
    SELECT a.clave, a.nombre, a.nom_mun, a.gm, a.fuente_marginacion, a.pobtot,
           (a.poblacion ->> :grupo)::float8 AS poblacion
    FROM analisis.area a
    WHERE a.nivel = 'localidad' AND a.pobtot >= :poblacion_min
      AND (cardinality(CAST(:grados AS text[])) = 0 OR a.gm = ANY(CAST(:grados AS text[])))
      AND (cardinality(CAST(:municipios AS text[])) = 0
           OR a.cvegeo_mun = ANY(CAST(:municipios AS text[])))
      AND (cardinality(CAST(:localidades AS text[])) = 0
           OR a.clave = ANY(CAST(:localidades AS text[])))
),
atendidos AS (
    SELECT u.cvegeo_loc AS clave, count(DISTINCT coalesce(a.persona_id, -r.id)) AS personas
    FROM padron.registro r JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    WHERE u.cvegeo_loc IN (SELECT clave FROM objetivo)
      AND (CAST(:periodo AS text) IS NULL OR r.periodo = :periodo)
      AND (CAST(:programas AS text[]) IS NULL OR r.programa = ANY(CAST(:programas AS text[])))
      AND (CAST(:sexo AS text) IS NULL OR r.sexo = :sexo)
      AND (NOT :con_edad OR date_part('year', age(coalesce(r.fecha_alta,
               CASE WHEN r.periodo ~ '^\\d{4}' THEN make_date(left(r.periodo, 4)::int, 1, 1) END,
               current_date), r.fecha_nacimiento)) BETWEEN :edad_min AND :edad_max)
    GROUP BY u.cvegeo_loc
)
SELECT o.clave AS cvegeo, o.nombre AS nom_loc, o.nom_mun, o.gm, o.fuente_marginacion,
       o.pobtot, round(o.poblacion) AS poblacion_objetivo,
       coalesce(x.personas, 0) AS ya_atendidos,
       greatest(round(o.poblacion) - coalesce(x.personas, 0), 0) AS sin_atender,
       coalesce(x.personas, 0) / nullif(o.poblacion, 0) AS cobertura_actual,
       count(*) OVER () AS localidades,
       sum(round(o.poblacion)) OVER () AS total_objetivo,
       sum(coalesce(x.personas, 0)) OVER () AS total_atendidos
FROM objetivo o LEFT JOIN atendidos x ON x.clave = o.clave
ORDER BY sin_atender DESC, o.clave
LIMIT :limite
"""


@dataclass(frozen=True)
class Simulation:
    """Totals over the eligible localities and the localities with most people not yet reached."""

    grupo: str
    localidades: int
    poblacion_objetivo: int
    ya_atendidos: int
    detalle: list[dict[str, Any]]


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
    group: Group = group_for(target.edad_min, target.edad_max, target.sexo) or NAMED["total"]
    ensure_group(conn, group)
    rows = [
        dict(r)
        for r in conn.execute(
            text(_SIMULATION_SQL),
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
