"""Each ingested file, kept byte for byte beside its records (``padron.carga_archivo``).

A record's cells exactly as received are its row (``registro.fila``) of its batch's file. The
file is kept once, in zstd-compressed parts, instead of a copy of every row's cells in
``registro``: that copy doubled what each ingest wrote and what every scan of ``registro`` read,
and took four times the space. Compression runs in pyarrow, which releases the GIL, so it
overlaps the normalisation of the next chunk and the writing of the one before.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
import psycopg
import pyarrow as pa
from sqlalchemy import Connection, select

from geo.ingest import tables as t
from geo.ingest.reader import cell_columns, open_roster, read_chunks
from geo.ingest.tables import RAW_SEPARATOR
from geo.kernel.db import sql_text
from geo.kernel.errors import InvalidParameter, NotFound

PART_BYTES = 32 << 20
"""Bytes of file per part. A chunk of the ingest reads about 26 MB, so writing one part per
chunk keeps the archive ahead of the reader."""

_LEVEL = 1
"""zstd's fastest level: a quarter of the size of a roster, at several hundred MB/s."""


class ArchiveWriter:
    """Writes a file into ``carga_archivo`` in the ingest's transaction, a part at a time."""

    def __init__(self, carga_id: int, path: Path) -> None:
        self._carga_id = carga_id
        self._parts = enumerate(_blocks(path))
        self._codec = pa.Codec("zstd", compression_level=_LEVEL)

    def next_part(self) -> Callable[[psycopg.Connection[Any]], None]:
        """The next part compressed now, as the write that stores it (none when none is left):
        the ingest compresses a part beside the writing of the chunk before."""
        parts = [self._compressed(number, block) for number, block in islice(self._parts, 1)]
        return lambda conn: self._write(conn, parts)

    def write_rest(self, conn: psycopg.Connection[Any]) -> None:
        """Write the parts not written yet."""
        self._write(conn, (self._compressed(number, block) for number, block in self._parts))

    def _compressed(self, number: int, block: bytes) -> dict[str, Any]:
        return {
            "carga_id": self._carga_id,
            "parte": number,
            "tamano": len(block),
            "datos": self._codec.compress(block, asbytes=True),
        }

    def _write(self, conn: psycopg.Connection[Any], parts: Iterable[dict[str, Any]]) -> None:
        for part in parts:
            conn.execute(sql_text("geo.ingest", "archive_part.sql"), part)


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(PART_BYTES), b"")


def write_original(conn: Connection, carga_id: int, out: BinaryIO) -> int:
    """Write batch ``carga_id``'s file as it was received; return its size in bytes.

    The bytes are checked against the SHA-256 recorded at ingest.
    """
    expected = conn.execute(
        select(t.carga.c.sha256).where(t.carga.c.id == carga_id)
    ).scalar_one_or_none()
    if expected is None:
        raise NotFound(f"No existe la carga {carga_id}.")
    digest, size = hashlib.sha256(), 0
    for contenido, block in _parts(conn, carga_id):
        if contenido != "original":
            raise InvalidParameter(
                f"La carga {carga_id} es anterior al archivo de originales: se conservan las "
                "celdas de sus renglones, no el archivo."
            )
        digest.update(block)
        out.write(block)
        size += len(block)
    if not size:
        raise NotFound(f"No hay archivo guardado de la carga {carga_id}.")
    if digest.hexdigest() != expected:
        raise InvalidParameter(
            f"El archivo guardado de la carga {carga_id} no coincide con su SHA-256."
        )
    return size


def raw_rows(conn: Connection, carga_id: int, filas: Collection[int]) -> dict[int, list[str]]:
    """The cells of some rows of a batch as received, by row number.

    For audits: it reads the whole file again, through the ingest's own reader (so NUL bytes
    read as spaces, as they were loaded). A row with the wrong number of fields is its raw text.
    """
    wanted = set(filas)
    found: dict[int, list[str]] = {}
    kinds = set(
        conn.execute(
            select(t.carga_archivo.c.contenido)
            .where(t.carga_archivo.c.carga_id == carga_id)
            .distinct()
        ).scalars()
    )
    if not kinds:
        raise NotFound(f"No hay archivo guardado de la carga {carga_id}.")
    if kinds == {"celdas"}:
        for _, block in _parts(conn, carga_id):
            for line in block.decode("utf-8").split("\n"):
                fila, _, joined = line.partition(RAW_SEPARATOR)
                if int(fila) in wanted:
                    found[int(fila)] = joined.split(RAW_SEPARATOR)
        return found
    name = conn.execute(select(t.carga.c.archivo).where(t.carga.c.id == carga_id)).scalar_one()
    with tempfile.TemporaryDirectory(prefix="padron-original-") as workdir:
        original = Path(workdir) / ("original" + Path(name).suffix.lower())  # openpyxl wants it
        with original.open("wb") as handle:
            write_original(conn, carga_id, handle)
        roster = open_roster(original, Path(workdir))
        cells = cell_columns(len(roster.header))
        for chunk in read_chunks(roster):
            for number, raw in chunk.malformed:
                if number in wanted:
                    found[number] = [raw]
            rows = chunk.frame.filter(pl.col("fila").is_in(wanted))
            for number, *values in rows.select("fila", *cells).iter_rows():
                found[number] = values
    return found


def _parts(conn: Connection, carga_id: int) -> Iterator[tuple[str, bytes]]:
    codec = pa.Codec("zstd")
    rows = conn.execute(
        select(t.carga_archivo.c.contenido, t.carga_archivo.c.tamano, t.carga_archivo.c.datos)
        .where(t.carga_archivo.c.carga_id == carga_id)
        .order_by(t.carga_archivo.c.parte)
        .execution_options(yield_per=1)  # one part in memory at a time
    )
    for contenido, size, data in rows:
        if contenido == "original":
            yield contenido, codec.decompress(data, decompressed_size=size, asbytes=True)
        else:
            yield contenido, bytes(data)
