"""One person, one id: resolve roster records into ``padron.persona``.

First the deterministic rules (``sql/resolve_curp.sql``): an exact valid CURP, and a CURP with
one mistyped character whose record agrees on birth date, sex and names. Then the records still
without a person are matched probabilistically (``geo.resolve.match``) against every record in their
blocks: joined to a known person, grouped into new persons, or held in the review queue
(``padron.revision``) when the evidence is between the thresholds. Assignments are rows of
``padron.asignacion`` (record → person), written only for records without one, so an existing
assignment never changes and a new roster is matched incrementally; human decisions in the queue
are applied on every run. With many records pending, every record is read and prepared on a
second connection while the CURP rules run (:func:`read_every_record`). A run that finds
nothing new since the last one (no batch, place or review decision: :func:`stamp`) has nothing
new to decide, and only counts.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl
from psycopg import sql
from sqlalchemy import Connection, Engine, delete, func, insert, select

from geo.ingest.tables import registro
from geo.kernel.db import (
    copy_csv,
    copy_out_frame,
    csv_for_copy,
    execute_composed,
    psycopg_connection,
    query,
    run_sql_file,
    sql_text,
)
from geo.kernel.progress import Progress, silent
from geo.resolve import match
from geo.resolve.tables import asignacion, persona, resolucion, revision


@dataclass(frozen=True)
class ResolveReport:
    """Records with and without a person after a run, and the number of persons."""

    resueltos: int
    sin_resolver: int
    """Records held in the review queue (or without the data to compare them)."""
    personas: int
    en_revision: int
    """Pairs waiting for a human decision (those whose record is still without a person, as
    :func:`geo.resolve.review_queue` shows them)."""


def resolve(
    engine: Engine,
    model: match.Model | None = None,
    thresholds: match.Thresholds | None = None,
    *,
    progress: Progress | None = None,
) -> ResolveReport:
    """Assign persons to the records that have none yet (see the module docstring).

    ``model`` defaults to m/u counted on the records with a valid CURP
    (:func:`geo.resolve.match.estimate_model`), or :data:`geo.resolve.match.DEFAULT_MODEL` if
    they are too few; its prior is set for the registry's size (``Model.for_population``).
    ``progress`` is told its three steps: CURP rules, matching, counts.
    """
    tell = progress or silent
    tell("Personas", 0, 3, "pasos")
    defaults = model is None and thresholds is None  # only these runs are stamped
    with engine.begin() as conn:
        conn.execute(query("geo.resolve", "lock.sql"))
        read = conn.execute(query("geo.resolve", "huella.sql")).scalar_one() if defaults else None
        counted = count_persons(conn)
        if read is None or stamp(read, counted) != last_stamp(conn):
            population = counted.resueltos + counted.sin_resolver
            bulk = counted.sin_resolver > counted.resueltos  # see sql/drop_bulk_indexes.sql
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="padron-resolve") as beside:
                reading = _read_beside(conn, beside, population, counted.sin_resolver, bulk)
                counting = _model_beside(beside, reading, population) if model is None else None
                if bulk:
                    run_sql_file(conn, "geo.resolve", "drop_bulk_indexes.sql")
                run_sql_file(conn, "geo.resolve", "resolve_curp.sql")
                every = None
                if reading is not None:  # the rules' persons, read while the records still are
                    assigned = read_persons(conn, every_one=bulk)
                    every = with_persons(reading.result(), assigned)
                model = counting.result() if counting else model
            tell("Personas", 1, 3, "pasos")
            _match_pending(conn, model, thresholds or match.Thresholds(), population, every)
            tell("Personas", 2, 3, "pasos")
            counted = count_persons(conn)
            _keep_stamp(conn, None if read is None else stamp(read, counted))
    tell("Personas", 3, 3, "pasos")
    return counted


def count_persons(conn: Connection) -> ResolveReport:
    """The registry's records with and without a person, its persons and the pairs waiting for
    a reviewer, as ``conn`` sees them: what a run starts from and what it leaves."""
    resolved = conn.execute(select(func.count()).select_from(asignacion)).scalar_one()
    total = conn.execute(select(func.count()).select_from(registro)).scalar_one()
    persons = conn.execute(select(func.count()).select_from(persona)).scalar_one()
    held = (
        ~select(asignacion.c.registro_id)
        .where(asignacion.c.registro_id == revision.c.registro_id)
        .exists()
    )
    queued = conn.execute(
        select(func.count()).select_from(revision).where(revision.c.decision.is_(None) & held)
    ).scalar_one()
    return ResolveReport(
        resueltos=resolved, sin_resolver=total - resolved, personas=persons, en_revision=queued
    )


def stamp(read: str, counted: ResolveReport) -> str:
    """What a resolution read besides its own writes (``read``: ``sql/huella.sql``) with the
    assignments and persons there are (``counted``): equal to the last run's
    (:func:`last_stamp`), a run would decide nothing new. Those two tables change only by
    resolution and a batch's withdrawal, which also changes what is read."""
    return f"{read}:{counted.resueltos}:{counted.personas}"


def last_stamp(conn: Connection) -> str | None:
    """The stamp the last run with the default model and thresholds left, if it was the last
    run (``padron.resolucion``)."""
    return conn.execute(select(resolucion.c.huella)).scalar_one_or_none()


def _keep_stamp(conn: Connection, value: str | None) -> None:
    """Keep this run's stamp; None forgets the last one (a run with another model or other
    thresholds decides otherwise: the next default run must run)."""
    conn.execute(delete(resolucion))
    if value is not None:
        conn.execute(insert(resolucion).values(id=1, huella=value, resuelta_en=func.now()))


LOADED_SCHEMA: dict[str, pl.DataType] = (
    {"id": pl.Int64(), "carga_id": pl.Int64()}
    | {k: v for k, v in match.RECORD_SCHEMA.items() if k != "id"}
    | {"sin_curp": pl.Boolean(), "curp_nueva": pl.Boolean(), "muestra": pl.Boolean()}
)
"""The frame matching reads: each record's fields, its person and the persons' marks
(``sql/persona_estado.sql``), and whether it is in the model's sample."""

PERSON_MARKS = ("sin_curp", "curp_nueva")
"""The marks of a record's person that :func:`read_every_record` does not read with the record:
``sin_curp`` comes from a list of persons, ``curp_nueva`` after the CURP rules
(:func:`read_persons`)."""

ASSIGNED_COLUMNS = ("persona_id", *PERSON_MARKS)
"""What :func:`read_persons` reads of an assigned record and :func:`with_persons` sets in the
frame."""

EVERY_RECORD_FROM = 1 / 1000
"""Share of the registry without a person from which a resolution reads every record, beside
its CURP rules (:func:`read_every_record`), instead of those sharing a block with the records
left pending after them (:func:`load_for_matching`): the blocks of a few thousand pending
records hold most of a registry (a birth date's block alone is a day's births), and testing
each record against them costs more than reading the rest. At seed size with a 100,000-row
roster added (3.9 M records), 1,000 pending records kept 1.6 M records in 13.2-13.8 s against
14.9 s for all of them; 3,000 kept 2.4 M (14.4-15.6 s against 14.5 s); the roster's 9,677,
3.2 M (16.1-17.7 s against 12.9-14.0 s); the seed's own 354,000, all but 83 (13.6-14.4 s
against 8.8-9.4 s). Reading more records than share a block changes no decision: a pair is
only compared within a block (a test resolves both ways)."""


def _read_beside(
    conn: Connection, beside: ThreadPoolExecutor, population: int, pending: int, bulk: bool
) -> Future[pl.DataFrame] | None:
    """Every record read and prepared in ``beside`` (:func:`read_every_record`) while the CURP
    rules run on ``conn``, when :data:`EVERY_RECORD_FROM` of the registry (``pending`` of its
    ``population`` records) is without a person; else None. PostgreSQL runs a connection's
    statements one at a time, and the rules' inserts keep one core busy: the other reads and
    parses the records (at seed size, 26-27 s for both against 35-40 s one after the other).
    Before a ``bulk`` load, which locks the persons and assignments until it commits
    (``sql/drop_bulk_indexes.sql``), the records are read without their persons."""
    if population == 0 or pending < population * EVERY_RECORD_FROM:
        return None
    snapshot = conn.execute(query("geo.resolve", "export_snapshot.sql")).scalar_one()
    return beside.submit(read_every_record, conn.engine, snapshot, population, not bulk)


def _model_beside(
    beside: ThreadPoolExecutor, reading: Future[pl.DataFrame] | None, population: int
) -> Future[match.Model] | None:
    """The model counted on the sample among the records read in ``beside``
    (:func:`_read_beside`), after them and still during the CURP rules, which outlast the read
    (at seed size by 3-4 s): the model depends on the records' fields alone, not on their
    persons."""
    if reading is None:
        return None
    return beside.submit(
        lambda: match.estimate_model(reading.result().filter("muestra"), population)
    )


def read_every_record(
    engine: Engine, snapshot: str, population: int, persons: bool
) -> pl.DataFrame:
    """Every record, prepared for matching (:func:`geo.resolve.match.prepare`), with the person
    it had before the CURP rules and its ``sin_curp`` mark (or, without ``persons``, none:
    :func:`with_persons` adds them), as the transaction that exported ``snapshot`` sees the
    registry of ``population`` records: on a connection of its own. The persons are read here
    rather than after the rules, since an assignment never changes: a roster added to a large
    registry made the rules' connection read every record's person again (3.9 M rows, 5.7 s of
    the server's time at seed size) while this one still read the records."""
    schema = {k: v for k, v in LOADED_SCHEMA.items() if k not in PERSON_MARKS}
    assigned = (
        sql.Identifier("padron", "asignacion")
        if persons
        else sql.SQL(sql_text("geo.resolve", "sin_asignaciones.sql"))
    )
    every = sql.SQL(sql_text("geo.resolve", "load_every_record.sql")).format(
        muestra=sample_expression(population), asignaciones=assigned
    )
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        execute_composed(
            conn, "geo.resolve", "snapshot.sql", identifiers={}, literals={"snapshot": snapshot}
        )
        conn.execute(query("geo.resolve", "hash_joins.sql"), {"permitir": "off"})
        records = copy_out_frame(conn, every, schema)
        conn.execute(query("geo.resolve", "hash_joins.sql"), {"permitir": None})
        without_curp = pl.Series(
            conn.execute(query("geo.resolve", "personas_sin_curp.sql")).scalars().all()
            if persons
            else [],
            dtype=pl.Int64,
        )
    records = records.with_columns(
        sin_curp=pl.col("persona_id").is_in(without_curp.implode()).fill_null(False),
        curp_nueva=pl.lit(False),
    )
    return match.prepare(_in_id_order(records), match.NameFrequencies.of(records))


def read_persons(conn: Connection, every_one: bool) -> pl.DataFrame:
    """The persons the CURP rules gave (with ``every_one``, every assigned record's person), with
    the ``sin_curp`` and ``curp_nueva`` marks of :func:`load_for_matching`, in the open
    transaction (``sql/load_assignments.sql``). Read while every record is still being read and
    prepared beside (:func:`_read_beside`): neither needs the other, and for a roster added to a
    large registry that read outlasts the rules (at seed size with a 100,000-row roster, by
    about 5 s)."""
    run_sql_file(conn, "geo.resolve", "persona_estado.sql")
    statement = sql.SQL(sql_text("geo.resolve", "load_assignments.sql"))
    return copy_out_frame(
        conn,
        statement.format(todas=sql.Literal(every_one)),
        {"registro_id": pl.Int64()} | {k: LOADED_SCHEMA[k] for k in ASSIGNED_COLUMNS},
    )


def with_persons(frame: pl.DataFrame, assigned: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (:func:`read_every_record`, in id order) with the persons and marks of
    ``assigned`` (:func:`read_persons`) in place. Set by position, not joined: a join would
    copy every column of the frame."""
    ids = frame["id"]
    at = ids.search_sorted(assigned["registro_id"]).clip(upper_bound=max(ids.len() - 1, 0))
    read = (ids.gather(at) == assigned["registro_id"]).fill_null(False)
    at, assigned = at.filter(read), assigned.filter(read)
    return frame.with_columns(frame[name].scatter(at, assigned[name]) for name in ASSIGNED_COLUMNS)


def load_for_matching(conn: Connection, population: int) -> pl.DataFrame:
    """Records without a person and every record sharing a block with one (COPY, then Polars),
    in the order of their ids, so that ties are broken alike on every run; ``curp_nueva`` and
    ``sin_curp`` mark the records of persons created in this run for a new CURP and of earlier
    persons without a CURP, loaded when both exist (:func:`geo.resolve.match.late_curps`);
    ``muestra`` the registry's sample for the model (:func:`sample_expression`, of a registry of
    ``population`` records)."""
    set_apart(conn)
    hash_joins = query("geo.resolve", "hash_joins.sql")
    conn.execute(hash_joins, {"permitir": "off"})  # see sql/load_for_matching.sql
    records = copy_out_frame(conn, matching_statement(population), LOADED_SCHEMA)
    conn.execute(hash_joins, {"permitir": None})
    return _in_id_order(records)


def _in_id_order(records: pl.DataFrame) -> pl.DataFrame:
    """``records`` sorted by id one column at a time: sorting the frame at once held it twice
    (at twice the seed size, 1.5 GB more than the frame itself). The load's merge joins give
    them in id order already; this keeps the order whatever plan the server picks."""
    if records["id"].is_sorted():
        return records
    order = records["id"].arg_sort()
    for name in records.columns:
        records = records.with_columns(records[name].gather(order))
    return records


def set_apart(conn: Connection) -> None:
    """The temporary tables ``sql/load_for_matching.sql`` reads, for the open transaction: the
    records without a person (``sql/pendientes.sql``: with their own statistics, so that the
    planner knows how few they are) and the persons without a CURP or new in this run
    (``sql/persona_estado.sql``)."""
    run_sql_file(conn, "geo.resolve", "pendientes.sql")
    run_sql_file(conn, "geo.resolve", "persona_estado.sql")


def matching_statement(population: int) -> sql.Composed:
    """``sql/load_for_matching.sql`` with :data:`geo.resolve.match.PREFIX_LENGTH` and the sample
    of a registry of ``population`` records in place (COPY takes no bound parameters)."""
    return sql.SQL(sql_text("geo.resolve", "load_for_matching.sql")).format(
        prefijo=sql.Literal(match.PREFIX_LENGTH), muestra=sample_expression(population)
    )


def sample_expression(population: int) -> sql.Composed:
    """Whether a record ``r`` is among those the model is counted on: about
    :data:`geo.resolve.match.LABELLED_SAMPLE` of a registry of ``population`` records, the same
    whatever is pending (``sql/muestra_modelo.sql``)."""
    buckets = 1 << 20
    cut = min(buckets, -(-buckets * match.LABELLED_SAMPLE // max(population, 1)))
    return sql.SQL(sql_text("geo.resolve", "muestra_modelo.sql")).format(corte=sql.Literal(cut))


def name_frequencies(conn: Connection) -> match.NameFrequencies:
    """Given names (by sex) and surnames counted over every record of the registry, by the
    server: for a load that holds only part of it (:func:`load_for_matching`)."""
    given = conn.execute(query("geo.resolve", "nombres_frecuencia.sql")).all()
    surnames = conn.execute(query("geo.resolve", "apellidos_frecuencia.sql")).all()
    return match.NameFrequencies(
        nombres=pl.DataFrame(
            given, schema={"sexo": pl.String, "nombre_norm": pl.String, "n": pl.Int64}, orient="row"
        ),
        apellidos=pl.DataFrame(
            surnames, schema={"apellido": pl.String, "n": pl.Int64}, orient="row"
        ),
    )


PAIR_SLICE = 1_000_000
"""Candidate pairs compared and scored at a time (see :func:`scored_pairs`)."""

DECIDED = ("i", "j", "peso", "nombres_distintos", "otro_apellido", "curp")
"""What :func:`geo.resolve.match.decide` reads of each scored pair."""


def scored_pairs(
    frame: pl.DataFrame,
    pending: pl.Series,
    model: match.Model,
    twins: Collection[int] = (),
    slice_size: int = PAIR_SLICE,
) -> pl.DataFrame:
    """Every candidate pair of the ``pending`` rows, scored, with the columns :data:`DECIDED`;
    ``twins`` (:func:`geo.resolve.match.twins`) make none.

    Comparing gathers both records' names, dates and places for every pair: at once, strings
    for tens of millions of pairs at seed size. In slices of ``slice_size`` pairs only a few
    bytes per pair outlive their slice, so that memory grows with the number of pairs, not
    with their strings. The slices give what the whole
    would, row for row: a pair's levels and weight depend on its two records and the model
    alone, and the model and name frequencies are set over the whole frame before (a test
    compares sliced and whole). Decisions are taken once over all the pairs, since a group of
    records may span slices.

    Two slices at a time, on two threads, kept in order: Polars releases the interpreter while
    it works, so one slice's Python (name containment, the gathers' bookkeeping) runs while
    the other's columns are compared. The seed's 6.4 M pairs took 7.0 s one slice at a time and
    5.8 s two at a time; twice the seed's 25.2 M pairs, 29.9 and 22.8 s (three threads: no
    better).
    """
    left, right = pending, None
    if twins:
        copy = frame["i"].is_in(list(twins))
        left, right = pending.filter(~copy.gather(pending)), frame["i"].filter(~copy)
    pairs = match.candidate_pairs(frame, left, right=right)

    def scored(start: int) -> pl.DataFrame:
        compared = match.compare(frame, pairs.slice(start, slice_size))
        return match.score(compared, model).select(DECIDED)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="padron-compare") as threads:
        return pl.concat(threads.map(scored, range(0, max(pairs.height, 1), slice_size)))


def _match_pending(
    conn: Connection,
    model: match.Model | None,
    thresholds: match.Thresholds,
    population: int,
    every: pl.DataFrame | None,
) -> None:
    """Match the records left without a person by the CURP rules, in the frame of ``every``
    record read beside them (:func:`_read_beside`, :func:`with_persons`) or, with few pending,
    in those sharing their blocks."""
    if every is not None:
        frame = every
        if not _anything_to_match(frame):
            return
    else:
        records = load_for_matching(conn, population)
        if not _anything_to_match(records):
            return
        frame = match.prepare(records, name_frequencies(conn))
    late = _late(frame)
    pending = frame.filter(pl.col("persona_id").is_null())["i"]
    if model is None:
        model = match.estimate_model(frame.filter("muestra"), population)
    model = model.for_population(population)
    merged: dict[int, int] = {}
    if late:
        reopened = match.candidate_pairs(
            frame, frame.filter("curp_nueva")["i"], right=frame.filter("sin_curp")["i"]
        )
        scored_late = match.score(match.compare(frame, reopened), model)
        merged = match.late_curps(frame, scored_late, thresholds)
        if merged:
            conn.execute(
                query("geo.resolve", "curp_tardia.sql"),
                {"nuevas": list(merged), "previas": list(merged.values())},
            )
            frame = frame.with_columns(pl.col("persona_id").replace(merged))
    if pending.is_empty():
        return
    decided = conn.execute(
        select(revision.c.registro_id, revision.c.candidato_id, revision.c.decision).where(
            revision.c.decision.is_not(None)
        )
    ).all()
    asked = frame.filter(pl.col("id").is_in([x for a, b, _ in decided for x in (a, b)]))
    row = dict(asked.select("id", "i").iter_rows())  # of the records a reviewer decided on
    pending_ids = set(asked.filter(pl.col("persona_id").is_null())["id"].to_list())
    same = [
        (row[a], row[b]) for a, b, d in decided if d == "misma" and a in pending_ids and b in row
    ]
    different = [
        (row[a], row[b]) for a, b, d in decided if d == "distinta" and a in pending_ids and b in row
    ]
    uncertain = set(frame.filter("sin_curp")["persona_id"].to_list()) - set(merged.values())
    twins = match.twins(frame, pending, apart=row.values())
    scored = scored_pairs(frame, pending, model, twins)
    decisions = match.decide(frame, scored, thresholds, same, different, model, uncertain, twins)
    _write(conn, frame, decisions, model)


def _anything_to_match(records: pl.DataFrame) -> bool:
    """Whether any record is without a person, or a person without a CURP may have received
    one."""
    return records["persona_id"].null_count() > 0 or _late(records)


def _late(records: pl.DataFrame) -> bool:
    """Whether a person without a CURP may have received one in this run: both kinds of
    person are among ``records`` (:func:`geo.resolve.match.late_curps`)."""
    return bool(records["curp_nueva"].any() and records["sin_curp"].any())


def _write(
    conn: Connection, frame: pl.DataFrame, decisions: match.Decisions, model: match.Model
) -> None:
    """New persons, record → person assignments and review items, in the open transaction."""
    new_ids: list[int] = []
    if decisions.new:
        new_ids = list(
            conn.execute(query("geo.resolve", "nuevas_personas.sql"), {"n": len(decisions.new)})
            .scalars()
            .all()
        )
    rows = list(decisions.join.items()) + [
        (i, persona) for group, persona in zip(decisions.new, new_ids, strict=True) for i in group
    ]
    if rows:
        assigned = pl.DataFrame(
            {"i": [i for i, _ in rows], "persona_id": [p for _, p in rows]},
            schema={"i": pl.UInt32, "persona_id": pl.Int64},
        ).join(frame.select("i", "id", "carga_id"), on="i")
        columns = ["registro_id", "carga_id", "persona_id"]
        copy_csv(
            psycopg_connection(conn),
            "padron",
            "asignacion",
            columns,
            csv_for_copy(
                assigned.select(registro_id="id", carga_id="carga_id", persona_id="persona_id")
            ),
        )
    if decisions.review:
        ids = frame["id"]
        details = match.explain(frame, [(i, j) for i, j, _ in decisions.review], model)
        conn.execute(
            query("geo.resolve", "revision_insertar.sql"),
            [
                {"registro": ids[i], "candidato": ids[j], "probabilidad": p,
                 "detalle": json.dumps(details.get((i, j)))}
                for i, j, p in decisions.review
            ],
        )  # fmt: skip
