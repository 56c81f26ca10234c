"""Parsers for roster fields as real files carry them. Each returns a value or None.

These are the reference implementations: ingest applies them column-wise (``geo/ingest``), with
vectorised fast paths tested to agree with them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
)
_SEX = {
    "H": "H", "HOMBRE": "H", "MASCULINO": "H", "MASC": "H", "M": "M", "MUJER": "M",
    "FEMENINO": "M", "FEM": "M", "F": "M", "1": "H", "2": "M",
}  # fmt: skip
"""``M`` is *mujer* (the CURP's convention), so English ``M``ale cannot be told apart: a roster
in English uses a YAML mapping with explicit values."""

_DMS = re.compile(
    r"^(?P<sign>-)?\s*(?P<deg>\d+(?:\.\d+)?)\s*[°º˚d:\s]\s*"
    r"(?:(?P<min>\d+(?:\.\d+)?)\s*['’´′m:\s]?\s*)?"
    r"(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:\"|”|''|″|s)?\s*)?(?P<hem>[NSEWO])?$"
)
_LEADING_HEMISPHERE = re.compile(r"^([NSEWO])\s*(.+)$")


def parse_date(text: str) -> dt.date | None:
    """ISO (with or without time), dd/mm/yyyy (also ``-`` or ``.``), yyyymmdd, yyyy/mm/dd, or
    an Excel serial day number (10000–99999). Impossible dates give None."""
    text = text.strip()
    if text.isdigit() and len(text) == 5:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


def parse_sex(text: str) -> str | None:
    """``H`` or ``M`` from H/M, 1/2, HOMBRE/MUJER, MASCULINO/FEMENINO (any case, accents)."""
    key = unicodedata.normalize("NFKD", text.strip().upper()).encode("ascii", "ignore").decode()
    return _SEX.get(key)


def pad_key(text: str, width: int) -> str | None:
    """An INEGI key of ``width`` digits, repairing lost leading zeros (``"1"``, ``"1.0"``)."""
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return None
    if len(text) > width:
        text = text.lstrip("0") or "0"
        if len(text) > width:
            return None
    return text.zfill(width)


def parse_coordinate(text: str) -> float | None:
    """Decimal degrees (point or decimal comma) or degrees-minutes-seconds text.

    ``-96.7255``, ``-96,7255``, ``96°43'31.6" W``, ``W 96 43 31.6``, ``17°3'N``; ``O`` (oeste)
    and ``W``/``S`` make it negative. Range checks belong to geocoding, not here.
    """
    text = text.strip().upper().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    leading = _LEADING_HEMISPHERE.match(text)
    if leading:
        text = f"{leading.group(2)} {leading.group(1)}"
    match = _DMS.match(text)
    if not match:
        return None
    minutes = float(match["min"] or 0)
    seconds = float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = float(match["deg"]) + minutes / 60 + seconds / 3600
    return -value if match["sign"] or match["hem"] in {"S", "W", "O"} else value


def parse_amount(text: str) -> Decimal | None:
    """Money as ``1500``, ``1,500.00``, ``$1500``, ``1.500,50`` or ``1500,50``."""
    text = text.strip().upper().replace("$", "").replace("MXN", "").replace(" ", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None
