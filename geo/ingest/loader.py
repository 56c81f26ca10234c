"""Ingest one roster file into ``padron``: every row loaded or rejected, all in one transaction.

The batch row (``padron.carga``), its records, its rejects and the file itself
(:mod:`geo.ingest.archive`) are written in a single transaction, so a failure anywhere (bad
bytes, a killed process, a full disk) leaves nothing behind. A file whose content was already
ingested for the same program and period is a no-op.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from sqlalchemy import Connection, Engine, func, insert, select, update

from geo.ingest import tables as t
from geo.ingest.archive import ArchiveWriter
from geo.ingest.layouts import PUB, Layout
from geo.ingest.normalise import normalise, raw_text
from geo.ingest.periods import PeriodWindow
from geo.ingest.reader import ReadLimits, Roster, open_roster, read_chunks
from geo.ingest.tables import RAW_SEPARATOR, raw_values
from geo.kernel.db import copy_csv, csv_for_copy, execute_composed, psycopg_connection, query
from geo.kernel.errors import InvalidParameter, NotFound
from geo.kernel.progress import Progress, silent

PROGRAM_KEY = re.compile(r"^[A-Z0-9_-]{1,40}$")
_CONTROL = re.compile(f"[\x00{RAW_SEPARATOR}]")
"""NUL (PostgreSQL text cannot hold it) and the separator of the raw cells, in a malformed
row's text."""
CHUNK_ROWS = 100_000
MAX_PERIOD_LENGTH = 40


@dataclass
class IngestResult:
    """What happened to a file; ``filas_leidas == filas_cargadas + filas_rechazadas``."""

    carga_id: int
    archivo: str
    ya_cargado: bool
    filas_leidas: int = 0
    filas_cargadas: int = 0
    filas_rechazadas: int = 0
    folios_repetidos: int = 0
    rechazos: dict[str, int] = field(default_factory=dict)
    banderas: dict[str, int] = field(default_factory=dict)
    formato: str = ""
    codificacion: str = ""
    delimitador: str = ""


def ingest_file(
    engine: Engine,
    path: Path,
    programa: str,
    *,
    periodo: str | None = None,
    layout: Layout = PUB,
    usuario: str | None = None,
    nombre_archivo: str | None = None,
    progress: Progress | None = None,
    limits: ReadLimits | None = None,
    periodo_atipico: bool = False,
) -> IngestResult:
    """Load ``path`` as a roster of ``programa``; see the module docstring for the guarantees.

    The file is refused before it is read when it breaks ``limits`` or lacks the layout's
    columns. A period (``periodo``, or a row's ``PERIODO``) must name a year near today's
    (:class:`geo.ingest.periods.PeriodWindow`) unless ``periodo_atipico``: the batch is refused,
    or the row rejected. ``progress`` is told the rows read, of a total estimated from the
    file's line breaks.
    """
    programa = programa.strip().upper()
    if not PROGRAM_KEY.match(programa):
        raise InvalidParameter(
            f"Clave de programa no válida: {programa!r}; use letras, dígitos, '_' o '-' (hasta 40)."
        )
    periodo = periodo.strip() if periodo and periodo.strip() else None
    if periodo is not None and len(periodo) > MAX_PERIOD_LENGTH:
        raise InvalidParameter(f"El periodo admite hasta {MAX_PERIOD_LENGTH} caracteres.")
    window = None if periodo_atipico else PeriodWindow.around()
    if periodo is not None and window is not None:
        window.check(periodo)
    with tempfile.TemporaryDirectory(prefix="padron-ingest-") as workdir:
        roster = open_roster(path, Path(workdir), limits, check_header=layout.resolve)
        positions = layout.resolve(roster.header)
        tally = _Tally(progress, f"Carga de {nombre_archivo or path.name}", roster.path)
        with engine.begin() as conn:
            conn.execute(query("geo.ingest", "lock_ingest.sql"))  # one at a time: see the file
            previous = _previous_batch(conn, programa, periodo, roster.sha256)
            if previous is not None:
                tally.done(previous.filas_leidas)
                return previous
            started = datetime.now(UTC)
            conn.execute(query("geo.ingest", "add_program.sql"), {"c": programa})
            carga_id = conn.execute(
                insert(t.carga)
                .values(
                    programa=programa,
                    periodo=periodo,
                    archivo=nombre_archivo or path.name,
                    sha256=roster.sha256,
                    formato=roster.formato,
                    codificacion=roster.codificacion,
                    delimitador=roster.delimitador,
                    layout=layout.name,
                    columnas=roster.header,
                    filas_leidas=0,
                    filas_cargadas=0,
                    filas_rechazadas=0,
                    folios_repetidos=0,
                    iniciada_en=started,
                    terminada_en=started,
                    usuario=usuario,
                )
                .returning(t.carga.c.id)
            ).scalar_one()
            result = IngestResult(
                carga_id=carga_id,
                archivo=nombre_archivo or path.name,
                ya_cargado=False,
                formato=roster.formato,
                codificacion=roster.codificacion,
                delimitador=roster.delimitador,
            )
            create_partition(conn, carga_id)
            _load(conn, roster, positions, layout, programa, periodo, window, result, tally)
            attach_partition(conn, carga_id)
            conn.execute(
                update(t.carga)
                .where(t.carga.c.id == carga_id)
                .values(
                    filas_leidas=result.filas_leidas,
                    filas_cargadas=result.filas_cargadas,
                    filas_rechazadas=result.filas_rechazadas,
                    folios_repetidos=result.folios_repetidos,
                    terminada_en=datetime.now(UTC),
                )
            )
            tally.done(result.filas_leidas)
            return result


def create_partition(conn: Connection, carga_id: int) -> None:
    """The batch's own table, ``padron.registro_<carga_id>``, without indexes until attached."""
    _partition_ddl(conn, "create_partition.sql", carga_id)


def attach_partition(conn: Connection, carga_id: int) -> None:
    """Make the batch's table part of ``padron.registro``: its indexes are built in bulk here
    and its foreign key checked (the CHECK constraint spares a scan of its rows)."""
    _partition_ddl(conn, "attach_partition.sql", carga_id)


def _partition_ddl(conn: Connection, name: str, carga_id: int) -> None:
    execute_composed(
        conn,
        "geo.ingest",
        name,
        identifiers={"partition": ("padron", f"registro_{carga_id}")},
        literals={"carga_id": carga_id},
    )


def _load(
    conn: Connection,
    roster: Roster,
    positions: dict[str, int],
    layout: Layout,
    programa: str,
    periodo: str | None,
    window: PeriodWindow | None,
    result: IngestResult,
    tally: _Tally,
) -> None:
    folios = _FolioLedger(_existing_keys(conn, programa))
    flags: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    archive = ArchiveWriter(result.carga_id, roster.original)
    with _Background(conn) as writer:
        for chunk in read_chunks(roster, CHUNK_ROWS):
            result.filas_leidas += chunk.frame.height + len(chunk.malformed)
            writes: list[_Encoding] = [archive.next_part]
            if chunk.malformed:
                rejects = _malformed(chunk.malformed, roster, result.carga_id)
                writes.append(partial(_encoded_copy, table="rechazo", frame=rejects))
                reasons["columnas"] += len(chunk.malformed)
            if not chunk.frame.is_empty():
                normalised = normalise(
                    chunk.frame, positions, layout.constants, programa, periodo, window
                )
                records = folios.mark_repeated(normalised.records)
                loadable = records["motivo"].is_null()
                good, bad = records.filter(loadable), records.filter(~loadable)
                folios.add(good["_key"])
                loaded = good.drop("motivo", "_key").with_columns(carga_id=pl.lit(result.carga_id))
                writes.append(
                    partial(_encoded_copy, table=f"registro_{result.carga_id}", frame=loaded)
                )
                if not bad.is_empty():
                    rows = chunk.frame.filter(~loadable)
                    rejects = _rejected(bad, raw_text(rows, len(roster.header)), result.carga_id)
                    writes.append(partial(_encoded_copy, table="rechazo", frame=rejects))
                result.filas_cargadas += good.height
                reasons.update(_counts(bad["motivo"]))
                flags.update(
                    {
                        k: v
                        for k, v in normalised.flags.filter(loadable)
                        .sum()
                        .row(0, named=True)
                        .items()
                        if v
                    }
                )
            writer.submit(writes)
            tally.read(result.filas_leidas)
        writer.submit([lambda: archive.write_rest])
    result.filas_rechazadas = sum(reasons.values())
    result.folios_repetidos = reasons["folio_repetido"]
    result.rechazos = dict(reasons)
    result.banderas = dict(flags.most_common())


class _Tally:
    """The rows of an ingest, told to its :class:`~geo.kernel.progress.Progress`.

    The total is estimated from the line breaks of the file (one more read, only when someone
    listens): quoted line breaks make it high, and the last call gives the exact count.
    """

    def __init__(self, progress: Progress | None, step: str, path: Path) -> None:
        self._progress = progress or silent
        self._step = step
        self._estimate = _data_lines(path) if progress else 0

    def read(self, count: int) -> None:
        """``count`` rows read so far."""
        self._progress(self._step, count, max(count, self._estimate), "filas")

    def done(self, count: int) -> None:
        """The file is loaded: ``count`` rows in all."""
        self._progress(self._step, count, count, "filas")


def _data_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)  # the header


class _FolioLedger:
    """The ``periodo␟folio`` keys a batch may not repeat: those loaded by earlier batches of the
    program, and those already accepted from this file.

    Membership is tested on 64-bit hashes and confirmed on the strings for the few hits, so a
    hash collision never rejects a row. (Testing the strings directly made Polars rebuild a hash
    set of every key seen so far for each batch: a third of the ingest time of a large roster.)
    """

    def __init__(self, loaded: pl.Series) -> None:
        self._loaded = loaded
        self._loaded_hashes = loaded.hash()
        self._seen: list[pl.Series] = []
        self._seen_hashes = pl.Series("h", [], dtype=pl.UInt64)

    def add(self, keys: pl.Series) -> None:
        """Remember the keys of the rows accepted from this file."""
        self._seen.append(keys)
        self._seen_hashes = pl.concat([self._seen_hashes, keys.hash().rename("h")], rechunk=True)

    def mark_repeated(self, records: pl.DataFrame) -> pl.DataFrame:
        """Reject a folio already loaded by another batch, or seen earlier in this file."""
        records = records.with_columns(
            _key=pl.concat_str([pl.col("periodo").fill_null(""), pl.lit("\x1f"), pl.col("folio")])
        )
        keys = records["_key"]
        hashes = keys.hash()
        loaded = _confirmed(keys, hashes, self._loaded_hashes, lambda: self._loaded)
        seen = _confirmed(keys, hashes, self._seen_hashes, lambda: pl.concat(self._seen))
        repeated_here = records["_key"].is_duplicated() & ~records["_key"].is_first_distinct()
        return records.with_columns(
            motivo=pl.when(pl.col("motivo").is_not_null())
            .then(pl.col("motivo"))
            .when(loaded)
            .then(pl.lit("folio_ya_cargado"))
            .when(seen | repeated_here)
            .then(pl.lit("folio_repetido"))
        )


def _confirmed(
    keys: pl.Series, hashes: pl.Series, known_hashes: pl.Series, known: Callable[[], pl.Series]
) -> pl.Series:
    """Which ``keys`` are among the known keys: by hash, then by string for the hits only.

    The known hashes (millions, by the end of a large file) are probed against a set of the
    batch's: the other way round rebuilt a set of all of them for every batch (2 s per 2 M rows).
    """
    colliding = known_hashes.is_in(hashes.implode())
    if not colliding.any():
        return pl.repeat(False, len(keys), eager=True)
    hits = hashes.is_in(known_hashes.filter(colliding).implode())
    candidates = keys.filter(hits)
    strings = known()
    return keys.is_in(strings.filter(strings.is_in(candidates.implode())).implode())


def _rejected(bad: pl.DataFrame, crudo: pl.Series, carga_id: int) -> pl.DataFrame:
    """Rejects of normalised records ``bad``, with the raw cells of their input rows."""
    return bad.select(
        "fila",
        "motivo",
        detalle=pl.when(pl.col("folio").is_not_null()).then(pl.lit("folio ") + pl.col("folio")),
        crudo=crudo,
        carga_id=pl.lit(carga_id),
    )


def _malformed(rows: list[tuple[int, str]], roster: Roster, carga_id: int) -> pl.DataFrame:
    width = len(roster.header)
    return pl.DataFrame(
        {
            "fila": [number for number, _ in rows],
            "motivo": "columnas",
            "detalle": [
                f"{_field_count(raw, roster.delimitador)} campos, se esperaban {width}"
                for _, raw in rows
            ],
            "crudo": [_CONTROL.sub(" ", raw) for _, raw in rows],
            "carga_id": carga_id,
        },
        schema={
            "fila": pl.Int32,
            "motivo": pl.String,
            "detalle": pl.String,
            "crudo": pl.String,
            "carga_id": pl.Int64,
        },
    )


def _counts(values: pl.Series) -> dict[str, int]:
    counted = values.drop_nulls().value_counts()
    return dict(zip(counted[:, 0].to_list(), counted[:, 1].to_list(), strict=True))


_Job = Callable[[psycopg.Connection[Any]], None]
"""Database work of one chunk, run in the writing thread."""
_Encoding = Callable[[], _Job]
"""The encoding of a chunk's rows or file part (CSV, zstd) for its :data:`_Job`, run in the
encoding thread."""


class _Background:
    """Write each chunk in two background threads while the next chunk is being normalised:
    one encodes it (CSV for ``COPY``, the file's part compressed), the other writes the chunk
    encoded before it.

    PostgreSQL parses and stores a chunk while the next is encoded and Python and Polars
    normalise the one after, which keeps both cores busy (docs/benchmarks.md). Encoding in the
    thread that writes made each chunk wait for both, one after the other: the main thread
    waited for it 2.5-4.5 s of an 18-21 s ingest of 2.2 M rows (now 1.5 s). One chunk is
    written at a time and one encoded, which bounds memory; the connection is used by the
    writing thread alone until :meth:`__exit__`, after which the main thread uses it again.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = psycopg_connection(conn)
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="padron-encode")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="padron-copy")
        self._pending: Future[None] | None = None

    def __enter__(self) -> _Background:
        return self

    def submit(self, encodings: list[_Encoding]) -> None:
        """Start encoding this chunk, wait for the previous chunk's writing, then queue this
        chunk's."""
        encoded = self._encoder.submit(lambda: [encode() for encode in encodings])
        self._wait()
        self._pending = self._writer.submit(self._run, encoded)

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._wait()
        finally:
            self._encoder.shutdown(wait=True, cancel_futures=True)
            self._writer.shutdown(wait=True)

    def _run(self, encoded: Future[list[_Job]]) -> None:
        for job in encoded.result():
            job(self._conn)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()


def _encoded_copy(table: str, frame: pl.DataFrame) -> _Job:
    """The COPY of a frame into ``padron.<table>``, encoded now; a batch's partition was
    created in this transaction, so its rows are written frozen."""
    data = csv_for_copy(frame)
    return partial(
        copy_csv,
        schema="padron",
        table=table,
        columns=frame.columns,
        data=data,
        freeze=table.startswith("registro_"),
    )


def _existing_keys(conn: Connection, programa: str) -> pl.Series:
    """``periodo␟folio`` of the program's records already loaded by earlier batches."""
    rows = conn.execute(
        select(func.coalesce(t.registro.c.periodo, "") + "\x1f" + t.registro.c.folio).where(
            t.registro.c.programa == programa
        )
    ).scalars()
    return pl.Series("key", list(rows), dtype=pl.String)


def _previous_batch(
    conn: Connection, programa: str, periodo: str | None, sha256: str
) -> IngestResult | None:
    row = (
        conn.execute(
            select(t.carga).where(
                t.carga.c.programa == programa,
                func.coalesce(t.carga.c.periodo, "") == (periodo or ""),
                t.carga.c.sha256 == sha256,
                t.carga.c.retirada_en.is_(None),  # a withdrawn batch may be sent again
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return IngestResult(
        carga_id=row["id"],
        archivo=row["archivo"],
        ya_cargado=True,
        filas_leidas=row["filas_leidas"],
        filas_cargadas=row["filas_cargadas"],
        filas_rechazadas=row["filas_rechazadas"],
        folios_repetidos=row["folios_repetidos"],
        formato=row["formato"],
        codificacion=row["codificacion"],
        delimitador=row["delimitador"],
    )


def _field_count(raw: str, delimiter: str) -> int:
    return len(next(csv.reader([raw], delimiter=delimiter), []))


def batch_status(conn: Connection, carga_id: int) -> dict[str, object]:
    """A batch's bookkeeping (no personal data), with reject counts by reason."""
    row = conn.execute(select(t.carga).where(t.carga.c.id == carga_id)).mappings().first()
    if row is None:
        raise NotFound(f"No existe la carga {carga_id}.")
    reasons: dict[str, int] = dict(
        conn.execute(
            select(t.rechazo.c.motivo, func.count())
            .where(t.rechazo.c.carga_id == carga_id)
            .group_by(t.rechazo.c.motivo)
        ).all()
    )
    status = {k: v for k, v in row.items() if k != "sha256"}
    status["rechazos_por_motivo"] = reasons
    return status


def export_rejects(
    conn: Connection, out: io.TextIOBase | io.StringIO, carga_id: int | None = None
) -> int:
    """Write rejected rows as CSV: batch, file, row, reason, detail and the raw values."""
    query = (
        select(t.carga.c.id, t.carga.c.archivo, t.carga.c.columnas, t.rechazo.c.fila,
               t.rechazo.c.motivo,
               t.rechazo.c.detalle, t.rechazo.c.crudo)
        .join_from(t.rechazo, t.carga, t.rechazo.c.carga_id == t.carga.c.id)
        .order_by(t.carga.c.id, t.rechazo.c.fila)
    )  # fmt: skip
    if carga_id is not None:
        query = query.where(t.carga.c.id == carga_id)
    writer = csv.writer(out)
    writer.writerow(["carga", "archivo", "fila", "motivo", "detalle", "valores"])
    count = 0
    for row in conn.execute(query):
        values = "; ".join(
            f"{name}={value}"
            for name, value in zip(row.columnas, raw_values(row.crudo), strict=False)
        )
        writer.writerow([row.id, row.archivo, row.fila, row.motivo, row.detalle or "", values])
        count += 1
    return count
