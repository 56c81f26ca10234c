"""Roster field parsers on the forms real files carry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from geo.kernel import fields as nz


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1950-03-02", dt.date(1950, 3, 2)),
        ("1950-3-2", dt.date(1950, 3, 2)),
        ("1950-03-02 00:00:00", dt.date(1950, 3, 2)),
        ("1950-03-02T13:45:00Z", dt.date(1950, 3, 2)),
        ("1950/03/02", dt.date(1950, 3, 2)),
        ("02/03/1950", dt.date(1950, 3, 2)),
        ("2/3/1950", dt.date(1950, 3, 2)),
        ("2-3-1950", dt.date(1950, 3, 2)),
        ("02.03.1950", dt.date(1950, 3, 2)),
        ("02/03/1950 12:00:00 a.m.", dt.date(1950, 3, 2)),
        (" 02/03/1950 ", dt.date(1950, 3, 2)),
        ("02-MAR-1950", dt.date(1950, 3, 2)),
        ("02-ene-1950", dt.date(1950, 1, 2)),
        ("02-Jan-1950", dt.date(1950, 1, 2)),
        ("15-AGO-1950", dt.date(1950, 8, 15)),
        ("15-DIC-50", dt.date(1950, 12, 15)),
        ("19500302", dt.date(1950, 3, 2)),
        # Two-digit years: the pivot is 30.
        ("2/3/50", dt.date(1950, 3, 2)),
        ("2/3/30", dt.date(1930, 3, 2)),
        ("2/3/29", dt.date(2029, 3, 2)),
        ("2/3/05", dt.date(2005, 3, 2)),
        # Excel serial days, as text or as numbers (epoch 1899-12-30).
        ("18324", dt.date(1950, 3, 2)),
        ("18324.0", dt.date(1950, 3, 2)),
        (18324, dt.date(1950, 3, 2)),
        (18324.75, dt.date(1950, 3, 2)),
        (61, dt.date(1900, 3, 1)),
        (60, None),  # Excel's 1900-02-29 never existed
        (0, None),
        (-5.0, None),
        (float("nan"), None),
        (True, None),
        (dt.datetime(1950, 3, 2, 8, 30), dt.date(1950, 3, 2)),
        (dt.date(1950, 3, 2), dt.date(1950, 3, 2)),
        # Impossible or unreadable.
        ("31/02/1950", None),
        ("29/02/1900", None),
        ("29/02/2000", dt.date(2000, 2, 29)),
        ("1950-02-30", None),
        ("2024-13-01", None),
        ("00000000", None),
        ("32-MAR-1950", None),
        ("02-XYZ-1950", None),
        ("1950-03/02", None),  # mixed separators
        ("02/03-1950", None),
        ("1950", None),
        ("1234", None),
        ("marzo 1950", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | float | dt.date | None, expected: dt.date | None) -> None:
    assert nz.parse_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("H", "H"), ("m", "M"), ("1", "H"), ("2", "M"), ("1.0", "H"), ("2.0", "M"),
     ("Hombre", "H"), ("MUJER", "M"), ("Masculino", "H"), ("femenino", "M"), ("F", "M"),
     ("f", "M"), ("Varón", "H"), (" h ", "H"), ("MASC", "H"), ("Fem", "M"),
     ("otro", None), ("3", None), ("0", None), ("", None), (None, None), ("HM", None)],
)  # fmt: skip
def test_parse_sex(text: str | None, expected: str | None) -> None:
    assert nz.parse_sex(text) == expected


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [("1", 3, "001"), ("67", 3, "067"), ("067", 3, "067"), ("20", 2, "20"), ("1.0", 4, "0001"),
     ("20001.00", 5, "20001"), ("0067", 3, "067"), ("0", 3, "000"), (" 7 ", 2, "07"),
     ("1234", 3, None), ("6A", 3, None), ("1.5", 3, None), ("-1", 3, None), ("", 3, None),
     ("١", 3, None), (None, 3, None)],
)  # fmt: skip
def test_pad_key(text: str | None, width: int, expected: str | None) -> None:
    assert nz.pad_key(text, width) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20", nz.Cvegeo("20")),
        ("20067", nz.Cvegeo("20", "067")),
        ("200670001", nz.Cvegeo("20", "067", "0001")),
        ("2006700010477", nz.Cvegeo("20", "067", "0001", "0477")),
        ("200670001016a", nz.Cvegeo("20", "067", "0001", "016A")),
        ("1001", nz.Cvegeo("01", "001")),  # Aguascalientes lost its leading zero
        ("70010001", nz.Cvegeo("07", "001", "0001")),
        ("7", nz.Cvegeo("07")),
        ("33001", None),  # no state 33
        ("00001", None),
        ("2006", nz.Cvegeo("02", "006")),  # one short of a municipal key: state 02
        ("200670001A477", None),
        ("20067000104A7", None),
        ("2006X", None),
        ("200670", None),
        ("", None),
        (None, None),
    ],
)
def test_split_cvegeo(text: str | None, expected: nz.Cvegeo | None) -> None:
    assert nz.split_cvegeo(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-96.7255", -96.7255),
        ("-96,7255", -96.7255),
        ("17.06", 17.06),
        ("96.7255", 96.7255),  # plain numbers keep their sign, even a lost minus
        ("96.7255 W", -96.7255),
        ("96,7255O", -96.7255),
        ("96°43'31.621\" W", -96.72545027777778),
        ("96°36'29.427\" W", -96.60817416666667),
        ("96 36 29.4 O", -96.60816666666666),
        ("W 96°43'31.621\"", -96.72545027777778),
        ("-96°43'31.621\"", -96.72545027777778),
        ("-96 43 31.621 W", -96.72545027777778),
        ("96º43’31,621″W", -96.72545027777778),
        ("17°03'35.975\" N", 17.059993055555555),
        ("17°3'N", 17.05),
        ("17° 3.5' N", 17.058333333333334),
        ("16 30 S", -16.5),
        ("96 E", 96.0),
        ("96:43:31.621", 96.72545027777778),
        ("96°75'00\" W", None),  # 75 minutes
        ("96°43'60\" W", None),  # 60 seconds
        ("96.5°30' W", None),  # a fraction before the last part
        ("-17 N", None),  # contradictory
        ("1 2 3 4", None),
        ("norte", None),
        ("N", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_coordinate(text: str | None, expected: float | None) -> None:
    result = nz.parse_coordinate(text)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3100", "3100.00"), ("$3,100.00", "3100.00"), ("$ 1500", "1500.00"), ("1500 MXN", "1500.00"),
     ("1.500,50", "1500.50"), ("1500,50", "1500.50"), ("1500,5", "1500.50"), ("1,500", "1500.00"),
     ("1,500,000", "1500000.00"), ("1,500,000.25", "1500000.25"), ("1.5", "1.50"),
     ("1500.505", "1500.50"), ("-250", "-250.00"), ("0", "0.00"), ("1 500,50", "1500.50"),
     ("mucho", None), ("NaN", None), ("Infinity", None), ("1e40", None), ("", None),
     (None, None)],
)  # fmt: skip
def test_parse_amount(text: str | None, expected: str | None) -> None:
    assert nz.parse_amount(text) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), (" 12 ", 12), ("-3", -3), ("+3", 3), ("007", 7), ("12.0", 12), ("1,234", 1234),
     ("1,234,567", 1234567), ("12.5", None), ("1,23", None), ("12,", None), ("1 234", None),
     ("doce", None), ("", None), (None, None)],
)  # fmt: skip
def test_parse_int(text: str | None, expected: int | None) -> None:
    assert nz.parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  San   Juan\tBautista ", "San Juan Bautista"), ("CONOCIDO", "CONOCIDO"), ("0", "0"),
     ("", None), ("   ", None), ("-1", None), (" -1 ", None), ("NULL", None), ("null", None),
     ("N/D", None), ("n/d", None), ("S/D", None), ("NA", None), ("N/A", None), ("ND", None),
     ("SD", None), ("None", None), ("Sin  dato", None), ("-", None), (None, None)],
)  # fmt: skip
def test_clean_text(text: str | None, expected: str | None) -> None:
    assert nz.clean_text(text) == expected


def test_no_data_list_is_documented() -> None:
    assert (
        frozenset(
            {"", "-1", "NULL", "NONE", "N/D", "N/A", "ND", "NA", "S/D", "SD", "SIN DATO", "-"}
        )
        == nz.NO_DATA
    )
