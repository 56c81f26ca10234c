"""Open a roster file of any common shape and stream it as chunks of text columns.

CSV with comma, pipe, tab or semicolon delimiters (detected from the header), UTF-8 with or
without BOM, CP1252 or Latin-1 (detected by trying UTF-8 over the whole file), and XLSX (first
sheet, converted to CSV on disk first so there is one reading path). pyarrow's streaming reader
parses; rows with the wrong number of fields are not dropped but handed back as rejects with
their row number and raw text. NUL bytes (which PostgreSQL text cannot hold) and the ASCII unit
separator (which joins the raw cells in ``crudo``) become spaces, and the rows that had them are
marked.

A file is checked against :class:`ReadLimits` before anything costly is done with it: line
length and field count for CSV; for XLSX the sizes the zip archive declares (the bytes it would
expand to, and the ratio to its compressed size: a zip bomb is refused before one byte is
inflated) and the sheet's dimensions, and the header is checked before the sheet is converted.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from geo.kernel.errors import InvalidParameter

DELIMITERS = (",", "|", "\t", ";")
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_CONTROL_CHARS = "\x00\x1f"
"""NUL (PostgreSQL text cannot hold it) and the unit separator (it joins a reject's cells)."""
_CONTROL = _CONTROL_CHARS.encode("ascii")
_CONTROL_PATTERN = f"[{_CONTROL_CHARS}]"
_XLSX_MAGIC = b"PK\x03\x04"
PARSE_BLOCK_BYTES = 2 << 20
"""Bytes pyarrow parses at a time (its batches are gathered into chunks of rows). Small blocks
stay in the CPU's caches, and a legacy encoding is transcoded in small pieces: the two seed
rosters parse in 4.2 CPU s with blocks of 2 MB, against 7.2 with blocks of 25 MB."""


@dataclass(frozen=True)
class ReadLimits:
    """What a roster file may be before it is refused (the edges make these configurable).

    The defaults leave real rosters far below them: a PUB row is a few hundred bytes and
    thirty-odd fields, and an XLSX sheet compresses five to twenty times.
    """

    max_line_bytes: int = 1 << 20
    """Longest line of a CSV (bytes); also the longest header."""
    max_fields: int = 1000
    """Most fields in the header (CSV or XLSX)."""
    max_xlsx_bytes: int = 512 << 20
    """Most bytes the parts of an XLSX may expand to, as the archive declares them (Python's
    zipfile never inflates a part past its declared size, so the declaration is binding)."""
    max_xlsx_ratio: float = 100
    """Largest expansion ratio of any part of an XLSX (Apache POI's zip-bomb default)."""
    max_xlsx_rows: int = 1_048_576
    """Most rows of the sheet (Excel's own maximum)."""


HeaderCheck = Callable[[list[str]], object]
"""Called with the header before the rows are read (raises to refuse the file)."""


@dataclass(frozen=True)
class Roster:
    """A roster ready to be read: a UTF-8 or legacy-encoded CSV and what was detected."""

    path: Path
    original: Path
    formato: str
    codificacion: str
    delimitador: str
    header: list[str]
    sha256: str
    control_bytes: bool
    """Whether the file holds a NUL byte or a unit separator anywhere (almost never)."""
    row_bytes: int
    """Bytes a row is known to stay within: the line limit the file was checked against, or
    a bound on the longest row written from an XLSX. The parser's blocks must hold a row."""


class FileScan(NamedTuple):
    """What one read of the whole file tells."""

    sha256: str
    encoding: str
    control_bytes: bool


@dataclass
class Chunk:
    """Parsed rows and the rows that could not be parsed.

    ``frame`` has the text columns ``c0``…, ``fila`` (the row number) and ``bytes_nulos`` (the
    row had a NUL byte or a unit separator, now spaces).
    """

    frame: pl.DataFrame
    malformed: list[tuple[int, str]] = field(default_factory=list)


def open_roster(
    path: Path,
    workdir: Path,
    limits: ReadLimits | None = None,
    check_header: HeaderCheck | None = None,
) -> Roster:
    """Detect format, encoding and delimiter; XLSX becomes a CSV in ``workdir``.

    ``check_header`` sees the header before any row is read or converted.
    """
    limits = limits or ReadLimits()
    if not path.is_file():
        raise InvalidParameter(f"No existe el archivo {path}.")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _XLSX_MAGIC:
        scan = scan_file(path)
        csv_path = workdir / (path.stem + ".csv")
        header, control, row_bytes = _xlsx_to_csv(path, csv_path, limits, check_header)
        return Roster(csv_path, path, "xlsx", "utf-8", ",", header, scan.sha256, control, row_bytes)
    scan = scan_file(path, limits.max_line_bytes)
    delimiter = detect_delimiter(path, scan.encoding)
    header = _header(path, scan.encoding, delimiter, limits)
    if check_header is not None:
        check_header(header)
    return Roster(
        path,
        path,
        "csv",
        scan.encoding,
        delimiter,
        header,
        scan.sha256,
        scan.control_bytes,
        limits.max_line_bytes,
    )


def scan_file(path: Path, max_line_bytes: int | None = None) -> FileScan:
    """SHA-256, encoding and control bytes of a file in one read; refuses a line longer than
    ``max_line_bytes``.

    The encoding is ``utf-8-sig``, ``utf-8``, ``cp1252`` or ``latin-1``: the first that decodes
    every byte (CP1252 unless the file holds one of the five bytes CP1252 leaves undefined).
    The hash of each block is computed on a second thread (``hashlib`` releases the GIL) while
    this one checks the block: the scan comes before anything else, on an otherwise idle core.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, undefined, control, first = True, False, False, True
    lines = _LineLengths(max_line_bytes) if max_line_bytes else None
    hashed: Future[None] | None = None
    with path.open("rb") as handle, ThreadPoolExecutor(1, "padron-sha256") as hasher:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if hashed is not None:
                hashed.result()  # one block in flight: the blocks are hashed in order
            hashed = hasher.submit(digest.update, block)
            if lines is not None:
                lines.update(block)
            if first and block.startswith(codecs.BOM_UTF8):
                block = block[3:]
            first = False
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            # "byte in block" is a memchr: seven passes over the block cost a sixth of two
            # bytes.translate (which copy it).
            if not undefined:
                undefined = any(byte in block for byte in _CP1252_UNDEFINED)
            if not control:
                control = any(byte in block for byte in _CONTROL)
        if hashed is not None:
            hashed.result()
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
    if utf8:
        return FileScan(digest.hexdigest(), "utf-8-sig" if bom else "utf-8", control)
    return FileScan(digest.hexdigest(), "latin-1" if undefined else "cp1252", control)


class _LineLengths:
    """Refuses the first line longer than the limit, block by block (numpy finds the line
    breaks: a Python loop over the lines of a large roster would cost more than the scan)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._open = 0  # bytes of the current line seen in earlier blocks
        self._line = 1

    def update(self, block: bytes) -> None:
        breaks = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
        if not len(breaks):
            self._open += len(block)
            self._check(self._open)
            return
        self._check(self._open + int(breaks[0]))
        if len(breaks) > 1:
            gaps = np.diff(breaks) - 1
            longest = int(gaps.argmax())
            if gaps[longest] > self._limit:
                self._line += longest + 1
                self._check(int(gaps[longest]))
        self._line += len(breaks)
        self._open = len(block) - int(breaks[-1]) - 1
        self._check(self._open)

    def _check(self, length: int) -> None:
        if length > self._limit:
            raise InvalidParameter(
                f"La línea {self._line:,} del archivo excede el máximo de "
                f"{self._limit:,} bytes por línea."
            )


def detect_delimiter(path: Path, encoding: str) -> str:
    """The candidate delimiter that splits the header into the most fields."""
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def cell_column(index: int) -> str:
    """The name of a chunk's text column for header field ``index`` (from 0)."""
    return f"c{index}"


def cell_columns(width: int) -> list[str]:
    """The names of a chunk's ``width`` text columns, in file order."""
    return [cell_column(i) for i in range(width)]


def read_chunks(roster: Roster, chunk_rows: int = 250_000) -> Iterator[Chunk]:
    """Stream the data rows as text, about ``chunk_rows`` at a time; ``fila`` is the row number
    (the header is row 1)."""
    names = cell_columns(len(roster.header))
    malformed: list[tuple[int, str]] = []

    def keep_malformed(row: pa.csv.InvalidRow) -> str:
        malformed.append((int(row.number or 0), row.text))
        return "skip"

    block = max(PARSE_BLOCK_BYTES, 2 * roster.row_bytes)
    try:
        yield from _chunks(roster, names, malformed, keep_malformed, block, chunk_rows)
    except pa.ArrowInvalid:
        # Lines are no longer than the limit (scan_file), so this is a quoted value left open
        # until it spans a whole block of the reader.
        raise InvalidParameter(
            f"{roster.original.name}: el archivo no se puede leer como CSV: un valor entre "
            f"comillas no se cierra o excede {block / 2**20:g} MB."
        ) from None


def _chunks(
    roster: Roster,
    names: list[str],
    malformed: list[tuple[int, str]],
    keep_malformed: Callable[[pa.csv.InvalidRow], str],
    block: int,
    chunk_rows: int,
) -> Iterator[Chunk]:
    reader = pacsv.open_csv(
        roster.path,
        # Single-threaded so that malformed rows carry their row number.
        read_options=pacsv.ReadOptions(
            encoding=_arrow_encoding(roster.codificacion),
            column_names=names,
            skip_rows=1,
            block_size=block,
            use_threads=False,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=roster.delimitador,
            newlines_in_values=True,
            invalid_row_handler=keep_malformed,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            # Already valid: scan_file decoded every byte of a UTF-8 file, and pyarrow's
            # transcoding or our XLSX export write UTF-8. A second check cost 0.5 s per 1.6 M rows.
            check_utf8=False,
        ),
    )
    next_row = 2
    for batches in _gathered(reader, chunk_rows):
        malformed.sort()
        table = pa.Table.from_batches(batches, reader.schema)
        rows = next_row + np.arange(table.num_rows, dtype=np.int64)
        for number, _ in malformed:  # malformed rows are few: shift the rows after each one
            rows[rows >= number] += 1
        last = int(rows[-1]) if len(rows) else next_row - 1
        consumed = [m for m in malformed if m[0] <= last]
        del malformed[: len(consumed)]
        # Polars' operations take pyarrow's blocks as they are: copying them into one is waste.
        frame = pl.from_arrow(table, rechunk=False)
        assert isinstance(frame, pl.DataFrame)
        if roster.control_bytes:
            frame = _without_control_bytes(frame, names)
        else:
            frame = frame.with_columns(bytes_nulos=pl.lit(False))
        yield Chunk(frame.with_columns(fila=pl.Series(rows, dtype=pl.Int32)), consumed)
        next_row = last + 1
    if malformed:
        empty = pl.DataFrame(
            schema={**dict.fromkeys(names, pl.String), "fila": pl.Int32, "bytes_nulos": pl.Boolean}
        )
        yield Chunk(empty, list(malformed))


def _gathered(reader: pacsv.CSVStreamingReader, rows: int) -> Iterator[list[pa.RecordBatch]]:
    """The reader's record batches (one per parsed block), gathered until they hold ``rows``."""
    batches: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        batches.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield batches
            batches, count = [], 0
    if batches:
        yield batches


def _without_control_bytes(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Control bytes as spaces, and ``bytes_nulos`` for the rows that had any."""
    return frame.with_columns(
        bytes_nulos=pl.any_horizontal(pl.col(names).str.contains(_CONTROL_PATTERN))
    ).with_columns(pl.col(names).str.replace_all(_CONTROL_PATTERN, " "))


def _header(path: Path, encoding: str, delimiter: str, limits: ReadLimits) -> list[str]:
    with path.open(encoding=encoding, newline="") as handle:
        try:
            header = next(csv.reader(handle, delimiter=delimiter), [])
        except csv.Error:  # a field past the csv module's limit (128 KiB), or a bare NUL
            raise InvalidParameter(
                f"{path.name}: el encabezado no se puede leer (un nombre de columna es "
                "demasiado largo o contiene bytes no válidos)."
            ) from None
    return _checked_header(path, header, limits)


def _checked_header(path: Path, header: list[str], limits: ReadLimits) -> list[str]:
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header):
        raise InvalidParameter(f"{path.name}: el archivo está vacío o no tiene encabezado.")
    if len(header) > limits.max_fields:
        raise InvalidParameter(
            f"{path.name}: el encabezado tiene {len(header):,} columnas; el máximo es "
            f"{limits.max_fields:,}."
        )
    return header


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.startswith("utf-8") else encoding


def check_xlsx_archive(source: Path, limits: ReadLimits) -> None:
    """Refuse an XLSX whose parts would expand past the limits, from the sizes its zip
    directory declares: nothing is inflated."""
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidParameter(f"{source.name}: no es un XLSX legible (ZIP dañado).") from None
    expanded = sum(part.file_size for part in parts)
    if expanded > limits.max_xlsx_bytes:
        raise InvalidParameter(
            f"{source.name}: el XLSX se expande a {expanded / 2**20:,.0f} MB; el máximo es "
            f"{limits.max_xlsx_bytes / 2**20:,.0f} MB."
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 1 << 16 and ratio > limits.max_xlsx_ratio:
            raise InvalidParameter(
                f"{source.name}: una parte del XLSX se comprime {ratio:,.0f} veces (máximo "
                f"{limits.max_xlsx_ratio:g}); no se lee un archivo con forma de bomba ZIP."
            )


def _xlsx_to_csv(
    source: Path, target: Path, limits: ReadLimits, check_header: HeaderCheck | None
) -> tuple[list[str], bool, int]:
    """Write the first sheet as CSV, its header checked first; returns the header, whether
    any cell held a NUL byte or a unit separator, and a bound on a written row's bytes."""
    from openpyxl import load_workbook

    check_xlsx_archive(source, limits)
    # A file object, not a path: openpyxl refuses paths whose name does not end in .xlsx (an
    # upload is saved under a temporary name).
    with source.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
        except Exception as error:  # openpyxl raises many types for corrupt files
            raise InvalidParameter(
                f"{source.name}: no es un XLSX legible ({type(error).__name__})."
            ) from None
        try:
            return _write_sheet(source, sheet, target, limits, check_header)
        except InvalidParameter:
            raise
        except Exception as error:  # a part that is not the XML it claims to be
            raise InvalidParameter(
                f"{source.name}: no es un XLSX legible ({type(error).__name__})."
            ) from None
        finally:
            workbook.close()


def _write_sheet(
    source: Path, sheet: object, target: Path, limits: ReadLimits, check_header: HeaderCheck | None
) -> tuple[list[str], bool, int]:
    rows, columns = getattr(sheet, "max_row", None), getattr(sheet, "max_column", None)
    if (rows or 0) > limits.max_xlsx_rows or (columns or 0) > limits.max_fields:
        raise InvalidParameter(
            f"{source.name}: la hoja mide {rows:,} filas por {columns:,} columnas; el máximo es "
            f"{limits.max_xlsx_rows:,} por {limits.max_fields:,}."
        )
    cells_of = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    header = _checked_header(source, [_cell_text(v) for v in next(cells_of, ())], limits)
    if check_header is not None:
        check_header(header)
    control = False
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        longest = writer.writerow(header)  # characters written
        for number, row in enumerate(cells_of, start=2):
            if number > limits.max_xlsx_rows or len(row) > limits.max_fields:
                raise InvalidParameter(
                    f"{source.name}: la fila {number:,} excede el máximo de "
                    f"{limits.max_xlsx_rows:,} filas o {limits.max_fields:,} columnas."
                )
            cells = [_cell_text(v) for v in row]
            control = control or any(c in cell for cell in cells for c in _CONTROL_CHARS)
            longest = max(longest, writer.writerow(cells))
    return header, control, 4 * longest  # UTF-8 spends at most four bytes on a character


def _cell_text(value: object) -> str:
    """Spreadsheet cells as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
