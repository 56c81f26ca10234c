"""SEPOMEX postal-code catalogue on a hand-made file in the published TXT layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from boundaries.sepomex import COLUMNS, read_sepomex
from geo.kernel.errors import DataCheckFailed

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sepomex_cp_muestra.txt"


def test_fixture_keeps_the_published_encoding() -> None:
    raw = SAMPLE.read_bytes()
    assert b"\r\n" in raw and "Ranchería".encode("latin-1") in raw


def test_oaxaca_rows_in_normalised_columns() -> None:
    frame = read_sepomex(SAMPLE, "20")

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 6 and frame["cvegeo_mun"].str.startswith("20").all()
    first = frame.iloc[0].to_dict()
    assert first == {
        "cp": "68000",
        "asentamiento": "Oaxaca Centro",
        "tipo_asentamiento": "Colonia",
        "municipio": "Oaxaca de Juárez",
        "cvegeo_mun": "20067",
        "id_asenta_cpcons": "0001",
        "zona": "Urbano",
        "ciudad": "Oaxaca de Juárez",
    }
    rural = frame.set_index("asentamiento").loc["El Ñame"]
    assert rural["tipo_asentamiento"] == "Ranchería" and rural["ciudad"] is None
    assert rural["cvegeo_mun"] == "20208" and rural["zona"] == "Rural"


def test_whole_file_and_state_as_number() -> None:
    assert len(read_sepomex(SAMPLE)) == 7
    assert read_sepomex(SAMPLE, 21)["municipio"].tolist() == ["Puebla"]


def test_without_notice_line_and_with_lost_zeros(tmp_path: Path) -> None:
    lines = SAMPLE.read_bytes().split(b"\r\n")
    row = b"1000|San \xc1ngel|Colonia|\xc1lvaro Obreg\xf3n|Ciudad de M\xe9xico|Ciudad de M\xe9xico|1001|9|1001||9|10|1|Urbano|1"
    path = tmp_path / "CPdescarga.txt"
    path.write_bytes(b"\r\n".join([lines[1], row, b""]))

    [cdmx] = read_sepomex(path).to_dict("records")

    assert (cdmx["cp"], cdmx["cvegeo_mun"], cdmx["id_asenta_cpcons"]) == ("01000", "09010", "0001")
    assert cdmx["asentamiento"] == "San Ángel"


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "otro.txt"
    path.write_text("aviso\ncp|colonia\n68000|Centro\n", encoding="latin-1")

    with pytest.raises(DataCheckFailed, match="encabezado inesperado"):
        read_sepomex(path)
