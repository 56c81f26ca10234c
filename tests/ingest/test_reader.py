"""Encoding and delimiter detection on hand-made files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from geo.ingest import reader
from geo.ingest.reader import detect_delimiter, open_roster, read_chunks, scan_file


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (b"ID,NOMBRE\n1,JOSE\n", "utf-8"),
        (b"\xef\xbb\xbfID,NOMBRE\n1,JOS\xc3\x89\n", "utf-8-sig"),
        ("ID,NOMBRE\n1,NÚÑEZ “Pepe”\n".encode("cp1252"), "cp1252"),
        (b"ID,NOMBRE\n1,NU\xd1EZ\x81\n", "latin-1"),  # 0x81 has no CP1252 character
        # A two-byte UTF-8 character split across the 1 MiB read boundary is still UTF-8.
        (b"x" * (1024 * 1024 - 1) + "É\n".encode(), "utf-8"),
    ],
)
def test_scan_file_hashes_and_detects_the_encoding(
    tmp_path: Path, content: bytes, encoding: str
) -> None:
    path = tmp_path / "padron.csv"
    path.write_bytes(content)
    assert scan_file(path) == (hashlib.sha256(content).hexdigest(), encoding, False)


def test_control_bytes_become_spaces_and_mark_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "padron.csv"
    path.write_bytes(b"ID,NOMBRE\n1,ANA\x00LUISA\n2,JOSE\n3,EVA\x1fMARIA\n")
    roster = open_roster(path, tmp_path)
    assert roster.control_bytes
    (chunk,) = read_chunks(roster)
    assert chunk.frame["c1"].to_list() == ["ANA LUISA", "JOSE", "EVA MARIA"]
    assert chunk.frame["bytes_nulos"].to_list() == [True, False, True]
    clean = tmp_path / "limpio.csv"
    clean.write_bytes(b"ID,NOMBRE\n1,ANA\n")
    (chunk,) = read_chunks(open_roster(clean, tmp_path))
    assert chunk.frame["bytes_nulos"].to_list() == [False]


def test_control_characters_from_a_spreadsheet_mark_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XML cannot hold them, but a reader that unescapes ``_x0000_`` would hand them over."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["ID", "NOMBRE"], ["1", "ANA_LUISA"], ["2", "JOSE"]):
        sheet.append(row)
    path = tmp_path / "padron.xlsx"
    workbook.save(path)
    assert not open_roster(path, tmp_path).control_bytes
    monkeypatch.setattr(reader, "_cell_text", lambda value: str(value).replace("_", "\x00"))
    roster = open_roster(path, tmp_path)
    assert roster.control_bytes
    (chunk,) = read_chunks(roster)
    assert chunk.frame["c1"].to_list() == ["ANA LUISA", "JOSE"]
    assert chunk.frame["bytes_nulos"].to_list() == [True, False]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("A,B,C", ","), ("A|B|C", "|"), ("A\tB\tC", "\t"), ("A;B;C", ";"), ("A", ",")],
)
def test_detect_delimiter(tmp_path: Path, header: str, delimiter: str) -> None:
    path = tmp_path / "padron.csv"
    path.write_text(header + "\n", encoding="utf-8")
    assert detect_delimiter(path, "utf-8") == delimiter


def test_rows_keep_their_numbers_across_parse_blocks(tmp_path: Path) -> None:
    """Chunks gather several of pyarrow's blocks; malformed rows in different blocks still
    shift the numbers of the rows after them."""
    malformed = {5, 10_007, 20_011, 29_999}
    lines = ["ID,NOMBRE,RELLENO"]
    for number in range(2, 30_002):
        fields = [f"R{number}", "ANA"] if number in malformed else [f"R{number}", "ANA", "x" * 200]
        lines.append(",".join(fields))
    path = tmp_path / "padron.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * reader.PARSE_BLOCK_BYTES  # more than one block per chunk

    chunks = list(read_chunks(open_roster(path, tmp_path), chunk_rows=25_000))

    assert len(chunks) == 2 and chunks[0].frame.height >= 25_000  # whole blocks to a chunk
    rows = [r for c in chunks for r in c.frame.select("fila", "c0").iter_rows()]
    assert rows == [(n, f"R{n}") for n in range(2, 30_002) if n not in malformed]
    assert [m for c in chunks for m in c.malformed] == [(n, f"R{n},ANA") for n in sorted(malformed)]


def test_a_spreadsheet_row_longer_than_a_parse_block_is_read(tmp_path: Path) -> None:
    """An XLSX is not held to the CSV line limit: its rows are as long as Excel allows, so the
    parser's blocks follow the longest row written."""
    import random

    from openpyxl import Workbook

    letters = random.Random(3)
    long_cells = ["".join(letters.choices("ñáéíóú", k=30_000)) for _ in range(80)]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ID", *(f"C{i}" for i in range(80))])
    sheet.append(["1", *long_cells])
    sheet.append(["2", *("x" for _ in range(80))])
    path = tmp_path / "padron.xlsx"
    workbook.save(path)

    (chunk,) = read_chunks(open_roster(path, tmp_path))

    assert len(",".join(long_cells).encode()) > 2 * reader.PARSE_BLOCK_BYTES  # two blocks hold it
    assert chunk.frame["c0"].to_list() == ["1", "2"]
    assert chunk.frame["c80"].to_list() == [long_cells[-1], "x"]
    assert chunk.malformed == []
