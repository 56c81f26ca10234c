"""Duplicated support: who receives from several programs, or twice from one, in a period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text

from geo.ingest.tables import registro
from geo.resolve.tables import asignacion


@dataclass(frozen=True)
class DuplicatedSupport:
    """Who receives from several programs, or twice from one, in the same period (aggregates
    only: no personal data)."""

    personas_por_programa: dict[str, int]
    """Unique persons per program (the roster's size without its repeated listings)."""
    pares_de_programas: dict[tuple[str, str], int]
    """Persons listed by both programs in the same period."""
    duplicados_en_programa: dict[str, int]
    """Listings beyond a person's first within one program and period."""
    varios_programas_por_municipio: dict[str, int]
    """Persons in more than one program in a period, by the municipality (CVEGEO) of their
    listings (a person listed in two municipalities counts in both)."""
    importe_varios_programas: str
    """``NU_IMP_MONETARIO`` of every listing of a person paid by more than one program in a
    period."""
    importe_repetido_en_programa: str
    """``NU_IMP_MONETARIO`` of the listings beyond a person's first in one program and period."""
    importe_involucrado: str
    """Total of every listing of a person listed more than once in a period (both kinds)."""
    registros_sin_persona: int
    """Records not in any count: waiting for review or without the data to compare them."""

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (program pairs as ``"A|B"``)."""
        return {
            "personas_por_programa": self.personas_por_programa,
            "pares_de_programas": {f"{a}|{b}": n for (a, b), n in self.pares_de_programas.items()},
            "duplicados_en_programa": self.duplicados_en_programa,
            "varios_programas_por_municipio": self.varios_programas_por_municipio,
            "importe_varios_programas": self.importe_varios_programas,
            "importe_repetido_en_programa": self.importe_repetido_en_programa,
            "importe_involucrado": self.importe_involucrado,
            "registros_sin_persona": self.registros_sin_persona,
        }


_RESOLVED = """
resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
)"""
"""Resolved records with their person (a CTE for the report's SQL)."""

_UNIQUE = f"""
WITH {_RESOLVED}
SELECT programa, count(DISTINCT persona_id) FROM resuelto GROUP BY programa
"""  # noqa: S608 (constant fragments)

_PAIRS = f"""
WITH {_RESOLVED}
SELECT x.programa, y.programa, count(DISTINCT x.persona_id)
FROM resuelto x
JOIN resuelto y ON y.persona_id = x.persona_id AND x.programa < y.programa
 AND x.periodo IS NOT DISTINCT FROM y.periodo
GROUP BY 1, 2
"""  # noqa: S608 (constant fragments)

_WITHIN = f"""
WITH {_RESOLVED}
SELECT programa, sum(veces - 1)
FROM (SELECT programa, periodo, persona_id, count(*) AS veces
      FROM resuelto GROUP BY programa, periodo, persona_id) listado
WHERE veces > 1
GROUP BY programa
"""  # noqa: S608 (constant fragments)

_SEVERAL_PROGRAMS = f"""
WITH {_RESOLVED},
varios AS (
    SELECT periodo, persona_id FROM resuelto
    GROUP BY periodo, persona_id HAVING count(DISTINCT programa) > 1
)
SELECT r.cve_ent || r.cve_mun AS municipio, count(DISTINCT r.persona_id) AS personas
FROM resuelto r
JOIN varios v ON v.persona_id = r.persona_id AND v.periodo IS NOT DISTINCT FROM r.periodo
WHERE r.cve_ent IS NOT NULL AND r.cve_mun IS NOT NULL
GROUP BY 1
"""  # noqa: S608 (constant fragments)

_MONEY = f"""
WITH {_RESOLVED},
repetida AS (
    SELECT periodo, persona_id, count(DISTINCT programa) > 1 AS varios
    FROM resuelto
    GROUP BY periodo, persona_id HAVING count(*) > 1
), listado AS (
    SELECT r.importe, p.varios,
           row_number() OVER (PARTITION BY r.programa, r.periodo, r.persona_id ORDER BY r.id) > 1
               AS extra
    FROM resuelto r
    JOIN repetida p ON p.persona_id = r.persona_id AND p.periodo IS NOT DISTINCT FROM r.periodo
)
SELECT coalesce(sum(importe) FILTER (WHERE varios), 0),
       coalesce(sum(importe) FILTER (WHERE extra), 0),
       coalesce(sum(importe), 0)
FROM listado
"""  # noqa: S608 (constant fragments)


def duplicated_support(conn: Connection) -> DuplicatedSupport:
    """Counts over resolved records (see :class:`DuplicatedSupport`)."""
    unique = conn.execute(text(_UNIQUE)).all()
    pairs = conn.execute(text(_PAIRS)).all()
    within = conn.execute(text(_WITHIN)).all()
    by_municipality = conn.execute(text(_SEVERAL_PROGRAMS)).all()
    several, extra, repeated = conn.execute(text(_MONEY)).one()
    records = conn.execute(select(func.count()).select_from(registro)).scalar_one()
    resolved = conn.execute(select(func.count()).select_from(asignacion)).scalar_one()
    return DuplicatedSupport(
        personas_por_programa={k: int(v) for k, v in unique},
        pares_de_programas={(p, q): int(n) for p, q, n in pairs},
        duplicados_en_programa={k: int(v) for k, v in within},
        varios_programas_por_municipio={m: int(n) for m, n in by_municipality},
        importe_varios_programas=str(several),
        importe_repetido_en_programa=str(extra),
        importe_involucrado=str(repeated),
        registros_sin_persona=int(records - resolved),
    )
