"""One person, one id: resolve roster records into ``padron.persona``.

This is the deterministic part of resolution: an exact valid CURP, and a CURP with one
mistyped character (it fails its check digit) whose record agrees on birth date, sex and names.
It is incremental and never changes an existing ``persona_id``. Records without a usable CURP
stay unresolved until probabilistic matching exists (issue #5).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from geo import tables as t
from geo.db import run_sql_file


@dataclass(frozen=True)
class ResolveReport:
    """Records with and without a person after a run, and the number of persons."""

    resueltos: int
    sin_resolver: int
    personas: int


def resolve(engine: Engine) -> ResolveReport:
    """Assign persons to the records that have none yet (see the module docstring)."""
    with engine.begin() as conn:
        run_sql_file(conn, "geo", "resolve_curp.sql")
    with engine.connect() as conn:
        resolved = conn.execute(
            select(func.count()).where(t.registro.c.persona_id.is_not(None))
        ).scalar_one()
        total = conn.execute(select(func.count()).select_from(t.registro)).scalar_one()
        persons = conn.execute(select(func.count()).select_from(t.persona)).scalar_one()
    return ResolveReport(resueltos=resolved, sin_resolver=total - resolved, personas=persons)


@dataclass(frozen=True)
class DuplicatedSupport:
    """Who receives from several programs, or twice from one, in the same period."""

    personas_por_programa: dict[str, int]
    pares_de_programas: dict[tuple[str, str], int]
    duplicados_en_programa: dict[str, int]
    importe_involucrado: str
    """Total ``NU_IMP_MONETARIO`` of every listing of a person listed more than once in a period."""


def duplicated_support(conn: Connection) -> DuplicatedSupport:
    """Counts over resolved records: unique persons per program; persons in each pair of
    programs in the same period; extra listings of a person within one program and period;
    and the money paid to persons listed more than once in a period."""
    r = t.registro
    resolved = r.c.persona_id.is_not(None)
    unique: dict[str, int] = {
        k: int(v)
        for k, v in conn.execute(
            select(r.c.programa, func.count(r.c.persona_id.distinct()))
            .where(resolved)
            .group_by(r.c.programa)
        ).all()
    }
    a, b = r.alias("a"), r.alias("b")
    pairs = conn.execute(
        select(a.c.programa, b.c.programa, func.count(a.c.persona_id.distinct()))
        .join_from(
            a,
            b,
            (a.c.persona_id == b.c.persona_id)
            & (a.c.programa < b.c.programa)
            & a.c.periodo.is_not_distinct_from(b.c.periodo),
        )
        .group_by(a.c.programa, b.c.programa)
    ).all()
    listings = (
        select(r.c.programa, r.c.periodo, r.c.persona_id, func.count().label("veces"))
        .where(resolved)
        .group_by(r.c.programa, r.c.periodo, r.c.persona_id)
        .subquery()
    )
    within = conn.execute(
        select(listings.c.programa, func.sum(listings.c.veces - 1))
        .where(listings.c.veces > 1)
        .group_by(listings.c.programa)
    ).all()
    repeated = (
        select(r.c.periodo, r.c.persona_id)
        .where(resolved)
        .group_by(r.c.periodo, r.c.persona_id)
        .having(func.count() > 1)
        .subquery()
    )
    money = conn.execute(
        select(func.coalesce(func.sum(r.c.importe), 0)).join(
            repeated,
            (repeated.c.persona_id == r.c.persona_id)
            & repeated.c.periodo.is_not_distinct_from(r.c.periodo),
        )
    ).scalar_one()
    return DuplicatedSupport(
        personas_por_programa=unique,
        pares_de_programas={(p, q): int(n) for p, q, n in pairs},
        duplicados_en_programa={k: int(v) for k, v in within},
        importe_involucrado=str(money),
    )
