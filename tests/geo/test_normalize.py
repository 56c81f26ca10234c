"""Roster field parsers on the forms real files carry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from geo import normalize as nz


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1950-03-02", dt.date(1950, 3, 2)),
        ("1950-03-02 00:00:00", dt.date(1950, 3, 2)),
        ("02/03/1950", dt.date(1950, 3, 2)),
        ("2-3-1950", dt.date(1950, 3, 2)),
        ("19500302", dt.date(1950, 3, 2)),
        ("18324", dt.date(1950, 3, 2)),  # Excel serial day (epoch 1899-12-30)
        ("31/02/1950", None),
        ("marzo 1950", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert nz.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("H", "H"), ("m", "M"), ("1", "H"), ("2", "M"), ("Hombre", "H"), ("MUJER", "M"),
     ("Masculino", "H"), ("femenino", "M"), ("otro", None)],
)  # fmt: skip
def test_parse_sex(text: str, expected: str | None) -> None:
    assert nz.parse_sex(text) == expected


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [("1", 3, "001"), ("67", 3, "067"), ("20", 2, "20"), ("1.0", 4, "0001"), ("0067", 3, "067"),
     ("1234", 3, None), ("6A", 3, None)],
)  # fmt: skip
def test_pad_key(text: str, width: int, expected: str | None) -> None:
    assert nz.pad_key(text, width) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-96.7255", -96.7255),
        ("-96,7255", -96.7255),
        ("17.06", 17.06),
        ("96°43'31.621\" W", -96.72545027),
        ("96 43 31.621 O", -96.72545027),
        ("W 96°43'31.621\"", -96.72545027),
        ("17°03'35.975\" N", 17.05999305),
        ("17°3'N", 17.05),
        ("96°75'00\" W", None),  # 75 minutes
        ("norte", None),
    ],
)
def test_parse_coordinate(text: str, expected: float | None) -> None:
    result = nz.parse_coordinate(text)
    assert result == (pytest.approx(expected, abs=1e-7) if expected is not None else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3100", "3100.00"), ("$3,100.00", "3100.00"), ("1.500,50", "1500.50"), ("1500,5", "1500.50"),
     ("1,500", "1500.00"), ("mucho", None)],
)  # fmt: skip
def test_parse_amount(text: str, expected: str | None) -> None:
    assert nz.parse_amount(text) == (Decimal(expected) if expected else None)
