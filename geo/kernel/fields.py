"""Parsers for roster fields as real files carry them. Each returns a value or None.

These are the reference implementations: ingest applies them column-wise (``geo/ingest``), with
vectorised fast paths tested to agree with them. None means "unreadable"; the caller names the
problem with its flag (``fecha_nacimiento_invalida``, ``sexo_invalido``, ``clave_mun_invalida``,
``cp_invalido``, ``coord_formato``, ``importe_invalido``) when the cell was not empty.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from geo.kernel.curp import CURP_STATE_BY_INEGI

NO_DATA = frozenset(
    {"", "-1", "NULL", "NONE", "N/D", "N/A", "ND", "NA", "S/D", "SD", "SIN DATO", "-"}
)
"""Cell values meaning "no data" (compared in upper case); ingest uses this list.

``0`` is not on it: it is a real amount or house number as often as a placeholder.
"""

TWO_DIGIT_YEAR_PIVOT = 30
"""``d/m/yy``: years 00–29 are 2000–2029, 30–99 are 1930–1999. A person born before 1930 read as
born after the roster was made is caught by the "future birth date" check downstream."""

_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial 60 is Excel's non-existent 1900-02-29; before it the epoch is off by one day.
_EXCEL_FIRST, _EXCEL_LAST = 61, 2_958_465  # 1900-03-01 .. 9999-12-31
_MONTHS = {
    "ENE": 1, "JAN": 1, "FEB": 2, "MAR": 3, "ABR": 4, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7,
    "AGO": 8, "AUG": 8, "SEP": 9, "SEPT": 9, "SET": 9, "OCT": 10, "NOV": 11, "DIC": 12, "DEC": 12,
}  # fmt: skip
"""Month abbreviations of ``02-MAR-1950`` (Oracle exports), Spanish and English."""

_YEAR_FIRST = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T].*)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2}|[A-Z]{3,4})\2(\d{4}|\d{2})(?: .*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")

_SEX = {
    "H": "H", "HOMBRE": "H", "MASCULINO": "H", "MASC": "H", "VARON": "H", "1": "H",
    "M": "M", "MUJER": "M", "FEMENINO": "M", "FEM": "M", "F": "M", "2": "M",
}  # fmt: skip
"""``M`` is *mujer* (the CURP's convention), so English ``M``\\ ale cannot be told apart: a roster
in English needs a layout mapping with explicit values."""

_KEY = re.compile(r"([0-9]+)(?:\.0+)?")
_AGEB = re.compile(r"[0-9]{3}[0-9A-Z]")

_HEMISPHERES = frozenset("NSEWO")
_UNITS = str.maketrans(dict.fromkeys("°º˚'’´′\"”″:", " "))
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")

_INT = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.0+)?")
_CENT = Decimal("0.01")


class Cvegeo(NamedTuple):
    """The parts of an INEGI ``CVEGEO``: state, municipality, locality, AGEB (None if absent)."""

    ent: str
    mun: str | None = None
    loc: str | None = None
    ageb: str | None = None


def clean_text(text: str | None) -> str | None:
    """Stripped, inner whitespace collapsed; None for :data:`NO_DATA` markers."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return None if cleaned.upper() in NO_DATA else cleaned


def parse_date(value: str | float | dt.date | None) -> dt.date | None:
    """A date from the forms rosters use; impossible dates give None.

    Text: ISO ``yyyy-mm-dd`` (also ``yyyy/mm/dd``, with or without a time part),
    ``dd/mm/yyyy`` (also ``-`` or ``.``, one-digit day or month, a time part),
    ``dd-MMM-yyyy`` with a Spanish or English month abbreviation, ``yyyymmdd``, ``d/m/yy``
    (see :data:`TWO_DIGIT_YEAR_PIVOT`), or an Excel serial day written as text (5 digits,
    1927–2173). Numbers (int or float): an Excel serial day from 61 (1900-03-01) on; the time
    fraction is dropped. Datetimes give their date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return _excel_serial(value)
    text = value.strip().upper()
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return _date(int(match[1]), int(match[3]), int(match[4]))
    match = _COMPACT.fullmatch(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, _, month_text, year_text = match.groups()
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
        return _date(year, month, int(day)) if month else None
    if _SERIAL_TEXT.fullmatch(text):
        return _excel_serial(float(text))
    return None


def parse_sex(text: str | None) -> str | None:
    """``H`` or ``M`` from H/M, 1/2, F, HOMBRE/MUJER, MASCULINO/FEMENINO (any case, accents)."""
    if text is None:
        return None
    key = text.strip().upper()
    if not key.isascii():
        key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return _SEX.get(key.removesuffix(".0"))


def pad_key(text: str | None, width: int) -> str | None:
    """An INEGI key of ``width`` digits, repairing lost leading zeros (``"1"``, ``"1.0"``).

    Extra leading zeros are dropped (``"0067"`` → ``"067"``); anything else that is not all
    digits or is longer than ``width`` gives None.
    """
    if text is None:
        return None
    match = _KEY.fullmatch(text.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) > width:
        digits = digits.lstrip("0") or "0"
        if len(digits) > width:
            return None
    return digits.zfill(width)


def split_cvegeo(text: str | None) -> Cvegeo | None:
    """Split a state (2), municipal (5), locality (9) or AGEB (13) ``CVEGEO`` into its keys.

    One character short is a lost leading zero (states 01–09) and is repaired. Unknown state,
    other lengths or non-digits (the AGEB's last character may be a letter) give None.
    """
    if text is None:
        return None
    key = text.strip().upper()
    if len(key) in {1, 4, 8, 12}:
        key = "0" + key
    if len(key) not in {2, 5, 9, 13} or not key[:9].isdigit() or not key.isascii():
        return None
    if key[:2] not in CURP_STATE_BY_INEGI:
        return None
    ageb = key[9:] or None
    if ageb is not None and not _AGEB.fullmatch(ageb):
        return None
    return Cvegeo(key[:2], key[2:5] or None, key[5:9] or None, ageb)


def parse_coordinate(text: str | None) -> float | None:
    """Decimal degrees (point or decimal comma) or degrees-minutes-seconds text.

    ``-96.7255``, ``-96,7255``, ``96°43'31.6" W``, ``W 96 43 31.6``, ``96 43 31.6 O``,
    ``17°3'N``. A minus sign, ``S``, ``W`` or ``O`` (oeste) make it negative; a minus sign with
    ``N`` or ``E`` contradicts itself and gives None, as do minutes or seconds of 60 or more.
    Range checks belong to geocoding, not here.
    """
    if text is None:
        return None
    clean = text.strip().upper().replace(",", ".")
    if not clean:
        return None
    try:
        number = float(clean)
    except ValueError:
        pass
    else:
        return number if math.isfinite(number) else None
    hemisphere = ""
    if clean[-1] in _HEMISPHERES:
        hemisphere, clean = clean[-1], clean[:-1]
    elif clean[0] in _HEMISPHERES:
        hemisphere, clean = clean[0], clean[1:]
    clean = clean.strip()
    negative = clean.startswith("-")
    parts = clean.removeprefix("-").translate(_UNITS).split()
    if not 1 <= len(parts) <= 3 or not all(_NUMBER.fullmatch(p) for p in parts):
        return None
    if any("." in p for p in parts[:-1]):  # only the last part may carry a fraction
        return None
    degrees, *rest = (float(p) for p in parts)
    if any(r >= 60 for r in rest):
        return None
    if negative and hemisphere in {"N", "E"}:
        return None
    value = degrees + sum(r / factor for r, factor in zip(rest, (60, 3600), strict=False))
    return -value if negative or hemisphere in {"S", "W", "O"} else value


def parse_amount(text: str | None) -> Decimal | None:
    """Money as ``1500``, ``1,500.00``, ``$1500``, ``1.500,50`` or ``1500,50``, to the cent.

    With one kind of mark, a comma followed by exactly three digits groups thousands
    (``1,500`` → 1500.00); otherwise it is the decimal comma. A lone point is decimal.
    """
    if text is None:
        return None
    clean = text.strip().upper().replace("$", "").replace("MXN", "").replace(" ", "")
    if "," in clean and "." in clean:
        decimal_mark = "," if clean.rfind(",") > clean.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        clean = clean.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in clean:
        head, _, tail = clean.rpartition(",")
        clean = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else clean.replace(",", "")
    try:
        amount = Decimal(clean)
        return amount.quantize(_CENT) if amount.is_finite() else None
    except InvalidOperation:  # not a number, or too large to hold cents
        return None


def parse_int(text: str | None) -> int | None:
    """An integer written as ``12``, ``-3``, ``1,234`` or ``12.0`` (spreadsheet floats)."""
    if text is None:
        return None
    clean = text.strip()
    if not _INT.fullmatch(clean):
        return None
    return int(clean.partition(".")[0].replace(",", ""))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _excel_serial(serial: float) -> dt.date | None:
    if not math.isfinite(serial) or not _EXCEL_FIRST <= serial < _EXCEL_LAST + 1:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
