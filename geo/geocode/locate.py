"""Place every loaded record in a municipality, a locality and a point, with honest precision.

The work is set-based SQL (``geo/geocode/sql/geocode.sql``) over one batch at a time; results go
to ``padron.ubicacion``, one row per record, and re-running a batch replaces its rows.

A large batch is split into ranges of record ids geocoded side by side, each on its own
connection and in its own transaction, so that every core of the server works: one backend
runs the statements of a range one after another, and a query touching temporary tables gets
no parallel workers. A record's place depends on its own fields alone, so the places are the
ones the whole batch would get in one transaction. Each range commits whole (every record of it
placed, or none): a record is at any moment either placed or not placed yet, as before the batch
was geocoded, and a batch with fewer places than records is pending, so that after a crash the
next run geocodes it again. A run larger than the places stored inserts without the table's
secondary indexes and builds them after (:func:`_larger_than_placed`).
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Connection, Engine, TextClause, delete, func, select

from geo.geocode.tables import ubicacion
from geo.ingest.tables import carga, registro
from geo.kernel.db import query, run_sql_file, statements
from geo.kernel.errors import InvalidParameter
from geo.kernel.progress import Progress, silent

PRECISIONS = (
    "croquis",
    "croquis_corregido",
    "localidad",
    "municipio",
    "sin_ubicar",
    "verificado_campo",
    "campo_impreciso",
)
"""How a record was placed: by geocoding, from most to least precise; then by field staff
(``verificado_campo``: a phone fix within the accuracy threshold, which outranks geocoding;
``campo_impreciso``: a poorer fix, which replaces only a locality's or municipality's point)."""

RURAL_RADIUS_M = 2_000
"""A croquis point agrees with a point locality (rural) within this distance of INEGI's point."""

URBAN_MARGIN_M = 300
"""A croquis point agrees with a polygon locality inside the polygon or this close to it."""

WORKERS = min(4, os.cpu_count() or 1)
"""Ranges geocoded at once by default: the cores of this machine (where the database usually
runs too), at most four, since each holds one of the engine's connections while it runs (and the
run one more, for its lock)."""

RANGE_RECORDS = 50_000
"""A batch is split into ranges of at least this many records (fewer ranges than workers if
need be): each range matches its own distinct names again, which pays only for larger ones."""


@dataclass
class GeocodeReport:
    """Counts for one or more batches."""

    cargas: list[int] = field(default_factory=list)
    registros: int = 0
    por_precision: dict[str, int] = field(default_factory=dict)
    por_bandera: dict[str, int] = field(default_factory=dict)
    precision_por_carga: dict[int, dict[str, int]] = field(default_factory=dict)
    """``por_precision`` of each batch placed (an upload reports its own)."""


def geocode(
    engine: Engine,
    carga_id: int | None = None,
    cve_ent: str = "20",
    *,
    all_batches: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> GeocodeReport:
    """Geocode one batch, or every batch not (completely) geocoded yet (``all_batches`` redoes
    them all), each split into at most ``workers`` ranges geocoded at once (default
    :data:`WORKERS`).

    ``progress`` is told the records of the batches done.
    """
    if workers is not None and workers < 1:
        raise InvalidParameter("Se geocodifica con al menos un rango a la vez.")
    with engine.begin() as held:  # one run at a time, for the whole run: see the file
        held.execute(query("geo.geocode", "lock.sql"))
        return _geocode(engine, carga_id, cve_ent, all_batches, workers or WORKERS, progress)


def _geocode(
    engine: Engine,
    carga_id: int | None,
    cve_ent: str,
    all_batches: bool,
    workers: int,
    progress: Progress | None,
) -> GeocodeReport:
    with engine.begin() as conn:
        if carga_id is not None:
            found = conn.execute(select(carga.c.retirada_en).where(carga.c.id == carga_id)).first()
            if found is None:
                raise InvalidParameter(f"No existe la carga {carga_id}.")
            if found.retirada_en is not None:
                raise InvalidParameter(f"La carga {carga_id} fue retirada: no se geocodifica.")
            pending = [carga_id]
        else:
            pending = pending_batches(conn, all_batches=all_batches)
        ranges = {batch: _ranges(conn, batch, workers) for batch in pending}
        total = sum(n for parts in ranges.values() for *_, n in parts)
        bulk = _larger_than_placed(conn, total)
        run_sql_file(conn, "geo.geocode", "drop_indexes.sql" if bulk else "build_indexes.sql")
    tell, placed = progress or silent, 0
    report = GeocodeReport()
    counts: Counter[tuple[str, tuple[str, ...]]] = Counter()
    try:
        with ThreadPoolExecutor(max((len(r) for r in ranges.values()), default=1)) as pool:
            for batch in pending:
                tell("Ubicación", placed, total, "registros")
                parts = ranges[batch]
                done = list(pool.map(partial(_geocode_range, engine, batch, cve_ent), parts))
                placed += sum(n for *_, n in parts)
                if all(part is not None for part in done):
                    report.cargas.append(batch)
                    own: Counter[str] = Counter()
                    for part in filter(None, done):
                        counts.update(part)
                        for (precision, _), n in part.items():
                            own[precision] += n
                    report.precision_por_carga[batch] = dict(own)
    finally:
        if bulk:  # each index on a connection of its own: they build side by side
            indexes = statements("geo.geocode", "build_indexes.sql")
            with ThreadPoolExecutor(len(indexes)) as pool:
                list(pool.map(partial(_build, engine), indexes))
    if pending:
        tell("Ubicación", total, total, "registros")
    by_precision: Counter[str] = Counter()
    by_flag: Counter[str] = Counter()
    for (precision, flags), n in counts.items():
        by_precision[precision] += n
        for flag in flags:
            by_flag[flag] += n
    report.por_precision = dict(by_precision)
    report.por_bandera = dict(by_flag.most_common())
    report.registros = by_precision.total()
    return report


def _build(engine: Engine, index: TextClause) -> None:
    with engine.begin() as conn:
        conn.execute(index)


def _larger_than_placed(conn: Connection, records: int) -> bool:
    """Whether ``records`` outnumber the places stored: then the ranges insert into
    ``padron.ubicacion`` without its secondary indexes, built once after them
    (``sql/drop_indexes.sql``). A smaller run keeps them, so that readers of a registry in use
    never lose them; a run larger than the registry is its first load, or nearly."""
    placed = conn.execute(query("geo.geocode", "places_up_to.sql"), {"n": records}).scalar_one()
    return bool(records > placed)


def pending_batches(conn: Connection, *, all_batches: bool = False) -> list[int]:
    """Batches (not withdrawn) with fewer places than records, oldest first: never geocoded, or
    left half done by a crash; with ``all_batches``, every batch."""
    query = select(carga.c.id).where(carga.c.retirada_en.is_(None)).order_by(carga.c.id)
    if not all_batches:
        placed = (
            select(ubicacion.c.carga_id, func.count().label("lugares"))
            .group_by(ubicacion.c.carga_id)
            .subquery()
        )
        query = query.outerjoin(placed, placed.c.carga_id == carga.c.id).where(
            carga.c.filas_cargadas > func.coalesce(placed.c.lugares, 0)
        )
    return list(conn.execute(query).scalars())


def _ranges(conn: Connection, batch: int, workers: int) -> list[tuple[int, int, int]]:
    """The batch's record ids in at most ``workers`` contiguous ranges of at least about
    :data:`RANGE_RECORDS` records: (first id, last id, records). Ids of a batch are nearly
    contiguous (one ingest draws them from one sequence), so ranges of ids are nearly even."""
    first, last = conn.execute(
        select(func.min(registro.c.id), func.max(registro.c.id)).where(registro.c.carga_id == batch)
    ).one()
    if first is None:
        return []
    records = conn.execute(select(carga.c.filas_cargadas).where(carga.c.id == batch)).scalar_one()
    count = max(1, min(workers, records // RANGE_RECORDS))
    bounds = [first + (last - first + 1) * i // count for i in range(count + 1)]
    return [
        (bounds[i], bounds[i + 1] - 1, records * (i + 1) // count - records * i // count)
        for i in range(count)
    ]


def _geocode_range(
    engine: Engine, batch: int, cve_ent: str, part: tuple[int, int, int]
) -> Counter[tuple[str, tuple[str, ...]]] | None:
    """Geocode the records of ``batch`` in ``part`` (first id, last id, records) in one
    transaction: its places by precision and set of flags, or None if the batch has been
    withdrawn."""
    desde, hasta, _ = part
    with engine.begin() as conn:
        # Shared lock on the batch's row: a withdrawal (which locks it for update) either
        # waits for this range or, once it has committed, makes this one skip the batch.
        in_use = select(carga.c.id).where(carga.c.id == batch, carga.c.retirada_en.is_(None))
        if conn.execute(in_use.with_for_update(read=True)).first() is None:
            return None
        run_sql_file(
            conn,
            "geo.geocode",
            "geocode.sql",
            carga=batch,
            desde=desde,
            hasta=hasta,
            cve_ent=cve_ent,
            radio_rural=RURAL_RADIUS_M,
            margen_urbano=URBAN_MARGIN_M,
        )
        # Points measured in the field outrank (or, if poor, complete) the geocoding.
        run_sql_file(
            conn,
            "geo.geocode",
            "verified_points.sql",
            carga=batch,
            desde=desde,
            hasta=hasta,
            registro_id=None,
        )
        rows = conn.execute(
            query("geo.geocode", "range_counts.sql"),
            {"carga": batch, "desde": desde, "hasta": hasta},
        )
        return Counter({(r.precision, tuple(r.banderas)): r.registros for r in rows})


def forget_batch(conn: Connection, carga_id: int) -> int:
    """Delete the places of a withdrawn batch's records (caller's transaction); how many."""
    return conn.execute(delete(ubicacion).where(ubicacion.c.carga_id == carga_id)).rowcount
