"""Hostile and careless roster files: refused early with a Spanish message, never a crash, and
cheaply (a zip bomb or a sheet that claims a million columns costs nothing to refuse)."""

from __future__ import annotations

import resource
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from geo.ingest import PUB_FIELDS, ingest_file
from geo.ingest.reader import PARSE_BLOCK_BYTES, ReadLimits, open_roster, read_chunks
from geo.kernel.errors import InvalidParameter
from tests.ingest.builders import BASE_ROW

SHEET = "xl/worksheets/sheet1.xml"


def small_xlsx(path: Path, rows: int = 2, header: list[str] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or list(PUB_FIELDS))
    for i in range(rows):
        sheet.append(
            [{**BASE_ROW, "ID_REGISTRO": f"X{i}"}.get(f, "v") for f in header or PUB_FIELDS]
        )
    workbook.save(path)
    return path


def with_sheet(source: Path, target: Path, sheet_xml: bytes | None = None, **extra: bytes) -> Path:
    """A copy of an XLSX with its first sheet (and any other part) replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = sheet_xml if item.filename == SHEET and sheet_xml is not None else None
            new.writestr(item.filename, data if data is not None else old.read(item.filename))
        for name, data in extra.items():
            new.writestr(name, data)
    return target


def cheap(call: object) -> tuple[float, int]:
    """Seconds and KiB of peak memory growth of refusing a file."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(InvalidParameter) as refused:
        call()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    cheap.message = str(refused.value)  # type: ignore[attr-defined]
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before


def test_a_header_field_past_the_csv_module_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ancho.csv"
    path.write_text("ID_REGISTRO,NB_NOMBRE," + "X" * 140_000 + "\nA,B,C\n", encoding="utf-8")
    with pytest.raises(InvalidParameter, match="encabezado"):
        open_roster(path, tmp_path)


def test_long_lines_and_wide_headers_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "largo.csv"
    path.write_text("ID_REGISTRO,NB_NOMBRE\nA,B\n" + "y" * 5000 + "\nC,D\n", encoding="utf-8")
    with pytest.raises(InvalidParameter, match=r"línea 3 .* 1,000 bytes"):
        open_roster(path, tmp_path, ReadLimits(max_line_bytes=1000))
    wide = tmp_path / "ancho.csv"
    wide.write_text(",".join(f"C{i}" for i in range(30)) + "\n", encoding="utf-8")
    with pytest.raises(InvalidParameter, match="30 columnas; el máximo es 20"):
        open_roster(wide, tmp_path, ReadLimits(max_fields=20))


def test_a_quote_left_open_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "comilla.csv"
    lines = 3 * PARSE_BLOCK_BYTES // 100  # a value open for more than two parse blocks
    path.write_text('ID_REGISTRO,NB_NOMBRE\nA,"abc\n' + ("x" * 99 + "\n") * lines, encoding="utf-8")
    with pytest.raises(InvalidParameter, match="comillas no se cierra"):
        list(read_chunks(open_roster(path, tmp_path), chunk_rows=1000))


def test_a_malformed_row_with_nul_is_a_reject(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "nulo.csv"
    head = ",".join(PUB_FIELDS).encode()
    good = ",".join(BASE_ROW[f] for f in PUB_FIELDS).encode()
    path.write_bytes(head + b"\n" + good + b'\nC,D\x00,E,"F\n')
    result = ingest_file(engine, path, "NULOS")
    assert (result.filas_leidas, result.filas_cargadas, result.filas_rechazadas) == (2, 1, 1)
    assert result.rechazos == {"columnas": 1}


def test_an_xlsx_named_without_extension_is_read(engine: Engine, tmp_path: Path) -> None:
    """An upload is saved under a temporary name: openpyxl refused any name but *.xlsx."""
    path = small_xlsx(tmp_path / "padron.xlsx")
    plain = path.rename(tmp_path / "padron")
    result = ingest_file(engine, plain, "XLSXSIN", periodo="2024")
    assert (result.formato, result.filas_cargadas) == ("xlsx", 2)


def test_a_zip_bomb_is_refused_in_under_a_second(tmp_path: Path) -> None:
    base = small_xlsx(tmp_path / "base.xlsx")
    rows = b'<row r="2"><c r="A2" t="inlineStr"><is><t>0</t></is></c></row>' * 1_500_000
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    bomb = with_sheet(
        base, tmp_path / "bomba.xlsx", sheet + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )
    assert bomb.stat().st_size < 1_000_000  # about 100 MB of XML in a few hundred KB
    seconds, kib = cheap(lambda: open_roster(bomb, tmp_path))
    assert "bomba ZIP" in cheap.message  # type: ignore[attr-defined]
    assert seconds < 1 and kib < 50_000
    with pytest.raises(InvalidParameter, match="se expande a"):
        open_roster(bomb, tmp_path, ReadLimits(max_xlsx_bytes=10 << 20, max_xlsx_ratio=10_000))


def test_a_sheet_claiming_huge_dimensions_is_refused_before_its_rows(tmp_path: Path) -> None:
    base = small_xlsx(tmp_path / "base.xlsx")
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID_REGISTRO</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    huge = with_sheet(base, tmp_path / "enorme.xlsx", sheet)
    seconds, kib = cheap(lambda: open_roster(huge, tmp_path))
    assert "1,048,576 filas por 16,384 columnas" in cheap.message  # type: ignore[attr-defined]
    assert seconds < 1 and kib < 50_000
    # Without a dimension, the rows are counted as they are read.
    unsized = with_sheet(
        base, tmp_path / "sin_dim.xlsx", sheet.replace(b'<dimension ref="A1:XFD1048576"/>', b"")
    )
    with pytest.raises(InvalidParameter, match="excede el máximo"):
        open_roster(unsized, tmp_path, ReadLimits(max_xlsx_rows=1000))


def test_an_xlsx_header_is_checked_before_its_rows_are_converted(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "malo.xlsx", rows=20_000, header=["A", "B"])
    seen: list[list[str]] = []

    def refuse(header: list[str]) -> None:
        seen.append(header)
        raise InvalidParameter("columnas obligatorias")

    with pytest.raises(InvalidParameter, match="columnas obligatorias"):
        open_roster(path, tmp_path, check_header=refuse)
    assert seen == [["A", "B"]]
    assert not (tmp_path / "malo.csv").exists() or (tmp_path / "malo.csv").stat().st_size == 0


def test_a_corrupt_xlsx_is_refused(tmp_path: Path) -> None:
    base = small_xlsx(tmp_path / "base.xlsx")
    broken = with_sheet(base, tmp_path / "roto.xlsx", b"<worksheet><sheetData><row>")
    with pytest.raises(InvalidParameter, match="no es un XLSX legible"):
        open_roster(broken, tmp_path)
    truncated = tmp_path / "corto.xlsx"
    truncated.write_bytes(base.read_bytes()[:200])
    with pytest.raises(InvalidParameter, match="no es un XLSX legible"):
        open_roster(truncated, tmp_path)
