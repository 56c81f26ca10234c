"""Duplicated support: who receives from several programs, or twice from one, in a period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from geo.ingest.tables import registro
from geo.kernel.db import query
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


def duplicated_support(conn: Connection) -> DuplicatedSupport:
    """Counts over resolved records (see :class:`DuplicatedSupport`)."""
    unique = conn.execute(query("geo.resolve", "duplicados_personas.sql")).all()
    pairs = conn.execute(query("geo.resolve", "duplicados_pares.sql")).all()
    within = conn.execute(query("geo.resolve", "duplicados_en_programa.sql")).all()
    by_municipality = conn.execute(query("geo.resolve", "duplicados_por_municipio.sql")).all()
    several, extra, repeated = conn.execute(query("geo.resolve", "duplicados_importes.sql")).one()
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
