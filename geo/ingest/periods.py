"""Which roster periods are plausible: a period names its year, and the year is not far from
today. A period such as ``2099`` would otherwise become the registry's newest, and every
public default with it (issue #17); one far in the past is as surely a typo.

An implausible period is refused unless the caller allows it explicitly (``periodo_atipico``
in :func:`geo.ingest.ingest_file`, ``--periodo-atipico`` in the CLI).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from geo.kernel.errors import InvalidParameter

YEARS_BACK = 40
"""The oldest plausible period is this many years before the current one."""
YEARS_AHEAD = 1
"""A roster may be sent ahead of its period, by at most this many years."""

YEAR = r"(?:^|[^0-9])([0-9]{4})(?:[^0-9]|$)"
"""The first run of exactly four digits: the year of ``2024``, ``2024-T1`` or ``T1/2024``."""


@dataclass(frozen=True)
class PeriodWindow:
    """The years a period may name, inclusive."""

    first_year: int
    last_year: int

    @classmethod
    def around(cls, today: dt.date | None = None) -> PeriodWindow:
        """:data:`YEARS_BACK` before and :data:`YEARS_AHEAD` after ``today``'s year."""
        year = (today or dt.date.today()).year
        return cls(year - YEARS_BACK, year + YEARS_AHEAD)

    def describe(self) -> str:
        """The rule in Spanish, for messages."""
        return f"el periodo debe incluir un año entre {self.first_year} y {self.last_year}"

    def check(self, periodo: str) -> None:
        """Raise :class:`InvalidParameter` for a period outside the window."""
        match = re.search(YEAR, periodo)
        if match is None or not self.first_year <= int(match.group(1)) <= self.last_year:
            raise InvalidParameter(
                f"Periodo no admitido: {periodo!r}; {self.describe()} (use la opción de periodo "
                "atípico para cargarlo de todos modos)."
            )

    def implausible(self, periods: pl.Series) -> pl.Series:
        """Whether each period (null: no period, which is allowed) is outside the window."""
        year = periods.str.extract(YEAR, 1).cast(pl.Int32)
        outside = year.is_null() | (year < self.first_year) | (year > self.last_year)
        return (outside & periods.is_not_null()).fill_null(False)
