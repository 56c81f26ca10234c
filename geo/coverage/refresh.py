"""Incremental refresh of the coverage tables after ingest, geocoding or resolution.

Each batch's state is summarised in a fingerprint (rows, resolved persons, places); only the
periods with a program whose batches are new, changed or removed — or whose target group
changed — are refreshed, every program of such a period together, since a person's place in a
period and their set of programs are chosen across the period's programs.

A period is counted from one row per person and program (``sql/persons.sql``), kept between
refreshes (``analisis.persona_programa``). Where little changed, only the touched persons are
recomputed — those a logged record was or is (``analisis.cambio``, written by triggers on
assignments and places) and those of new batches — their kept rows replaced, and the difference
between their new rows and their old ones added to the stored aggregates; otherwise (a withdrawn
batch, a new target group, rebuilt areas, a lost partition, or much changed) the period is
recomputed whole, kept, and its aggregates counted from every kept row. Both ways go through the
same statements (``sql/cobertura.sql``, on signed rows), so a period brought up to date holds
what a whole recompute gives (``tests/coverage/test_refresh_difference.py``).

The period is also how the work is split as the registry grows: nothing is counted across
periods (a person lives in one place per period), so each period is computed alone, in
PostgreSQL, whose sorts and aggregates spill to disk beyond ``work_mem``; this process holds
the batches' fingerprints and a few rows per program.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert

from geo.coverage import tables as a
from geo.coverage.groups import STANDARD_KEYS, Group, parse_group
from geo.kernel.db import execute_composed, query, run_sql_file
from geo.kernel.progress import Progress, silent

LOCK_KEY = "analisis.cobertura"
WHOLE_BEYOND = 0.25
"""A period whose new and logged records exceed this share of its records is recomputed whole:
its persons are then mostly touched, and one pass over every record is cheaper."""


@dataclass
class RefreshReport:
    """What a refresh recomputed and what it left as it was."""

    areas_reconstruidas: bool = False
    refrescados: list[tuple[str, str]] = field(default_factory=list)
    retirados: list[tuple[str, str]] = field(default_factory=list)
    """Programs and periods whose every batch is gone (withdrawn): their coverage is deleted."""
    sin_cambios: list[tuple[str, str]] = field(default_factory=list)
    periodos_combinados: list[str] = field(default_factory=list)
    recalculados: list[str] = field(default_factory=list)
    """Periods recomputed whole from their records (the others of ``periodos_combinados`` were
    brought up to date from their kept rows)."""


def refresh(
    engine: Engine,
    grupos: Mapping[str, Group] | None = None,
    *,
    rebuild_areas: bool = False,
    progress: Progress | None = None,
    on_recompute: Callable[[], object] | None = None,
) -> RefreshReport:
    """Bring ``analisis`` up to date. ``grupos`` maps a program to the census group it targets
    (from its rules of operation); other programs are measured against the total population.
    ``progress`` is told the areas' rebuild, then each period recomputed; ``on_recompute`` is
    called once, before the first period is recomputed (not at all when none is).
    """
    with engine.begin() as conn:
        report = refresh_in(
            conn,
            grupos,
            rebuild_areas=rebuild_areas,
            progress=progress,
            on_recompute=on_recompute,
        )
    tidy(engine, report)
    return report


def refresh_in(
    conn: Connection,
    grupos: Mapping[str, Group] | None = None,
    *,
    rebuild_areas: bool = False,
    progress: Progress | None = None,
    on_recompute: Callable[[], object] | None = None,
) -> RefreshReport:
    """:func:`refresh` in the caller's transaction (a batch's withdrawal and the coverage it
    leaves commit together); the caller may then :func:`tidy`."""
    tell = progress or silent
    grupos = dict(grupos or {})
    report = RefreshReport()
    # One refresh at a time; a concurrent ingest simply waits for the next refresh.
    conn.execute(query("geo.coverage", "lock_refresh.sql"), {"k": LOCK_KEY})
    if rebuild_areas or _areas_stale(conn):
        tell("Áreas de cobertura", 0, 1, "pasos")
        build_areas(conn)
        tell("Áreas de cobertura", 1, 1, "pasos")
        report.areas_reconstruidas = True
    for group in grupos.values():
        ensure_group(conn, group)

    current: dict[int, tuple[str, str]] = {}
    records: dict[int, dict[str, int]] = {}  # each batch's records in each of its periods
    for row in conn.execute(query("geo.coverage", "batch_fingerprints.sql")):
        current[row.id] = (row.programa, row.huella)
        records[row.id] = dict(zip(row.periodos, map(int, row.registros), strict=True))
    previous = {
        row.carga_id: (row.programa, list(row.periodos), row.huella)
        for row in conn.execute(select(a.refresco_carga))
    }
    changed = [
        batch
        for batch, (_, huella) in current.items()
        if batch not in previous or previous[batch][2] != huella
    ]
    removed = [batch for batch in previous if batch not in current]
    periods_now = {batch: sorted(records[batch]) for batch in changed}
    run_sql_file(conn, "geo.coverage", "take_changes.sql")
    logged: dict[int, int] = {
        row.carga_id: row.filas
        for row in conn.execute(query("geo.coverage", "changes_by_batch.sql"))
    }

    affected: set[tuple[str, str]] = set()
    for batch in changed + removed:
        if batch in previous:
            affected.update((previous[batch][0], q) for q in previous[batch][1])
    for batch in changed:
        affected.update((current[batch][0], q) for q in periods_now.get(batch, []))
    for batch in logged.keys() & current.keys():  # logged after its fingerprint was read
        affected.update((current[batch][0], q) for q in records[batch])
    # A program whose target group changed (or was never computed) is recomputed too.
    stored = {
        (row.programa, row.periodo): (row.grupo, list(row.cargas))
        for row in conn.execute(select(a.refresco))
    }
    regrouped: set[str] = set()
    for pair, (grupo, _) in stored.items():
        if grupo != _group_key(grupos, pair[0]):
            affected.add(pair)
            regrouped.add(pair[1])
    if report.areas_reconstruidas:
        affected.update(stored)

    batches_by_pair = _batches_by_pair(conn, previous, removed, changed, current, periods_now)
    now = dt.datetime.now(dt.UTC)
    # A person lives in one place per period, chosen among all the period's programs: a change in
    # one program can move a person counted by another, so the period is the unit of refresh.
    periods = sorted({q for _, q in affected})
    if periods and on_recompute is not None:
        on_recompute()
    pairs_of = {
        periodo: sorted(p for p in batches_by_pair if p[1] == periodo and batches_by_pair[p])
        for periodo in periods
    }
    batches_of = {
        periodo: sorted({c for p in pairs for c in batches_by_pair[p]})
        for periodo, pairs in pairs_of.items()
    }
    changes = _Changes(
        whole=report.areas_reconstruidas,
        periods=regrouped | {q for batch in removed for q in previous[batch][1]},
        new=set(changed) - previous.keys(),
        logged=logged,
        records=records,
    )
    orders = {q: _kept_order(conn, q, pairs_of[q], batches_of[q], changes) for q in periods}
    patched = {c for q in periods if orders[q] is not None for c in batches_of[q]}
    run_sql_file(
        conn,
        "geo.coverage",
        "touched_persons.sql",
        cargas=sorted(patched),
        nuevas=sorted(patched & changes.new),
    )
    for step, periodo in enumerate(periods):
        tell("Cobertura", step, len(periods), "periodos")
        pairs = pairs_of[periodo]
        report.retirados += sorted(p for p in affected if p[1] == periodo and p not in pairs)
        conn.execute(delete(a.refresco).where(a.refresco.c.periodo == periodo))
        cargas = batches_of[periodo]
        programas = [programa for programa, _ in pairs]
        kept_order = orders[periodo]
        order = programas if kept_order is None else kept_order
        _count_persons(conn, periodo, cargas, order, whole=kept_order is None)
        if kept_order is None:
            report.recalculados.append(periodo)
        run_sql_file(
            conn,
            "geo.coverage",
            "cobertura.sql",
            periodo=periodo,
            orden=order,
            programas=programas,
            grupos=[_group_key(grupos, programa) for programa in programas],
            cambios=kept_order is not None,
        )
        counted = dict(
            conn.execute(
                select(a.cobertura.c.programa, a.cobertura.c.registros).where(
                    (a.cobertura.c.periodo == periodo) & (a.cobertura.c.nivel == "estado")
                )
            ).all()
        )
        per_batch = {c: records[c].get(periodo, 0) for c in cargas}
        if pairs:
            conn.execute(
                insert(a.refresco),
                [
                    {
                        "programa": programa,
                        "periodo": periodo,
                        "cargas": sorted(batches_by_pair[(programa, periodo)]),
                        "grupo": _group_key(grupos, programa),
                        "registros": int(counted.get(programa, 0)),
                        "registros_total": sum(
                            per_batch.get(c, 0) for c in batches_by_pair[(programa, periodo)]
                        ),
                        "refrescado_en": now,
                    }
                    for programa, _ in pairs
                ],
            )
        report.refrescados += pairs
        report.periodos_combinados.append(periodo)
    if periods:
        tell("Cobertura", len(periods), len(periods), "periodos")
    run_sql_file(conn, "geo.coverage", "drop_changes.sql")
    report.sin_cambios = sorted(p for p in stored if p[1] not in periods)

    if removed or changed:
        conn.execute(
            delete(a.refresco_carga).where(a.refresco_carga.c.carga_id.in_(removed + changed))
        )
    if changed:
        conn.execute(
            insert(a.refresco_carga),
            [
                {
                    "carga_id": batch,
                    "programa": current[batch][0],
                    "periodos": periods_now.get(batch, []),
                    "huella": current[batch][1],
                    "refrescado_en": now,
                }
                for batch in changed
            ],
        )
    return report


@dataclass
class _Changes:
    """What changed since the last refresh, as the choice between a period's two ways needs it."""

    whole: bool
    """Every period is recomputed whole (the areas were rebuilt)."""
    periods: set[str]
    """Periods recomputed whole: a program's target group changed, or a batch was withdrawn."""
    new: set[int]
    """Batches no refresh used before."""
    logged: dict[int, int]
    """Records logged as changed, by batch."""
    records: dict[int, dict[str, int]]
    """Each batch's records in each of its periods."""


def _kept_order(
    conn: Connection,
    periodo: str,
    pairs: list[tuple[str, str]],
    cargas: list[int],
    changes: _Changes,
) -> list[str] | None:
    """The order of the period's programs in its kept rows' bit strings (new programs appended)
    when the period can be brought up to date from them; None when it is recomputed whole."""
    if changes.whole or periodo in changes.periods:
        return None
    kept = conn.execute(
        select(a.refresco_periodo).where(a.refresco_periodo.c.periodo == periodo)
    ).first()
    if kept is None:
        return None
    if kept.con_personas and not _holds_persons(conn, periodo):
        return None  # emptied by a crash (unlogged)
    total = sum(changes.records[c].get(periodo, 0) for c in cargas)
    touched = sum(
        changes.records[c].get(periodo, 0) if c in changes.new else changes.logged.get(c, 0)
        for c in cargas
    )
    if touched > WHOLE_BEYOND * total:
        return None
    programas = list(kept.programas)
    return programas + sorted({programa for programa, _ in pairs} - set(programas))


def _count_persons(
    conn: Connection, periodo: str, cargas: list[int], order: list[str], *, whole: bool
) -> None:
    """The period's kept rows per person and program: computed from every record of the batches
    ``cargas`` and kept anew (``whole``), or those of the touched persons replaced; ``order`` is
    the programs' order in the rows' bit strings, recorded beside them."""
    run_sql_file(conn, "geo.coverage", "every_record.sql" if whole else "touched_records.sql")
    run_sql_file(
        conn,
        "geo.coverage",
        "persons.sql",
        periodo=periodo,
        cargas=cargas,
        programas=order,
        todas=whole,
    )
    if whole:
        _keep_whole(conn, periodo)
    else:
        run_sql_file(conn, "geo.coverage", "patch_persons.sql", periodo=periodo)
    kept = {"programas": order, "con_personas": _holds_persons(conn, periodo)}
    conn.execute(
        upsert(a.refresco_periodo)
        .values(periodo=periodo, **kept)
        .on_conflict_do_update(index_elements=[a.refresco_periodo.c.periodo], set_=kept)
    )


def _holds_persons(conn: Connection, periodo: str) -> bool:
    """Whether the period's partition of ``analisis.persona_programa`` has any row."""
    return bool(
        conn.execute(select(exists().where(a.persona_programa.c.periodo == periodo))).scalar_one()
    )


def _keep_whole(conn: Connection, periodo: str) -> None:
    """Make the period's rows just computed its partition of ``analisis.persona_programa``,
    named by a hash of the period (any text)."""
    digest = hashlib.md5(periodo.encode(), usedforsecurity=False).hexdigest()
    name = f"persona_programa_{digest[:16]}"
    execute_composed(
        conn,
        "geo.coverage",
        "keep_persons.sql",
        identifiers={
            "particion": ("analisis", name),
            "nombre": (name,),
            "lugares": ("analisis", name + "_lugares"),
            "conjuntos": ("analisis", name + "_conjuntos"),
        },
        literals={"periodo": periodo},
    )


def tidy(engine: Engine, report: RefreshReport) -> None:
    """Fresh statistics for the planner, and compact areas: adding each population group
    rewrites every area row, and the gap query scans the localities on every request."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if report.areas_reconstruidas:
            conn.execute(query("geo.coverage", "vacuum_areas.sql"))
        if report.refrescados:
            run_sql_file(conn, "geo.coverage", "analyze_coverage.sql")


def build_areas(conn: Connection) -> None:
    """Rebuild ``analisis.area`` (and its standard population groups) from ``boundaries``."""
    run_sql_file(conn, "geo.coverage", "areas.sql")
    for key in STANDARD_KEYS:
        ensure_group(conn, parse_group(key), force=True)


def ensure_group(conn: Connection, group: Group, *, force: bool = False) -> None:
    """Add the population of ``group`` to every area unless it is there already."""
    if (
        not force
        and conn.execute(
            select(func.count())
            .select_from(a.area)
            .where((a.area.c.nivel == "localidad") & ~a.area.c.poblacion.has_key(group.clave))
        ).scalar_one()
        == 0
    ):
        return
    if group.clave == "total":  # the census total, exactly (age groups miss unspecified ages)
        conn.execute(query("geo.coverage", "area_total_population.sql"))
        return
    run_sql_file(
        conn,
        "geo.coverage",
        "area_group.sql",
        clave=group.clave,
        edad_min=group.edad_min,
        edad_max=group.edad_max,
        sexo=group.sexo,
    )


def _areas_stale(conn: Connection) -> bool:
    from boundaries.tables import localidad

    built = conn.execute(
        select(func.count()).select_from(a.area).where(a.area.c.nivel == "localidad")
    ).scalar_one()
    return bool(built != conn.execute(select(func.count()).select_from(localidad)).scalar_one())


def _group_key(grupos: Mapping[str, Group], programa: str) -> str:
    group = grupos.get(programa)
    return group.clave if group else "total"


def _batches_by_pair(
    conn: Connection,
    previous: dict[int, tuple[str, list[str], str]],
    removed: list[int],
    changed: list[int],
    current: dict[int, tuple[str, str]],
    periods_now: dict[int, list[str]],
) -> dict[tuple[str, str], set[int]]:
    """Which batches feed each program and period, after this refresh."""
    result: dict[tuple[str, str], set[int]] = {}
    for batch, (programa, periodos, _) in previous.items():
        if batch in removed or batch in changed:
            continue
        for periodo in periodos:
            result.setdefault((programa, periodo), set()).add(batch)
    for batch in changed:
        for periodo in periods_now.get(batch, []):
            result.setdefault((current[batch][0], periodo), set()).add(batch)
    return result
