"""Readers for CONAPO's marginality indices by municipality (IMM) and urban AGEB (IMU).

CONAPO publishes workbooks (sheet ``IMM_2020``...) and CSVs with the same columns; the year is in
the column suffix (``IM_2020``, ``GM_2020``, ``IMN_2020``). Readers return lower-case columns
``im, gm, imn, anio`` plus the official indicators (``ANALF``, ``SBASC``...) as a dict.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from boundaries.tables import GRADES
from geo.kernel.errors import DataCheckFailed

_INDEX_COLUMN = re.compile(r"^IM_(\d{4})$")
_NOT_INDICATORS = {
    "CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN", "ENT", "MUN", "LOC", "NOM_LOC", "AGEB",
    "CVE_AGEB", "CVE_LOC", "POB_TOT", "POB_TOTAL", "AÑO", "ANIO", "AÃ\x91O",
}  # fmt: skip


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a CONAPO CSV (UTF-8 or Latin-1) or workbook with every cell as text."""
    if path.suffix.lower() in {".xlsx", ".xls"}:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str).fillna("")
    else:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    return frame


def read_imm(path: Path, cve_ent: str | None = None) -> pd.DataFrame:
    """Municipal index: ``cvegeo`` (5 digits), ``anio, pob_tot, im, gm, imn, indicadores``."""
    frame = read_table(path)
    _require(path, frame, {"CVE_MUN", "POB_TOT"})
    frame["cvegeo"] = frame["CVE_MUN"].str.zfill(5)
    if cve_ent:
        frame = frame.loc[frame["cvegeo"].str.startswith(cve_ent)]
    return index_columns(path, frame, "POB_TOT", "pob_tot")[
        ["cvegeo", "anio", "pob_tot", "im", "gm", "imn", "indicadores"]
    ]


def read_imu(path: Path, cve_ent: str | None = None) -> pd.DataFrame:
    """Urban AGEB index by ``cve_ageb`` (13 chars) with its locality ``cvegeo_loc`` and year."""
    frame = read_table(path)
    _require(path, frame, {"CVE_AGEB", "POB_TOTAL"})
    frame["cve_ageb"] = frame["CVE_AGEB"].str.upper()
    frame["cvegeo_loc"] = frame["cve_ageb"].str[:9]
    if cve_ent:
        frame = frame.loc[frame["cve_ageb"].str.startswith(cve_ent)]
    return index_columns(path, frame, "POB_TOTAL", "pob_total")[
        ["cve_ageb", "cvegeo_loc", "anio", "pob_total", "im", "gm", "imn", "indicadores"]
    ]


def index_columns(path: Path, frame: pd.DataFrame, population: str, name: str) -> pd.DataFrame:
    """Typed ``anio, im, gm, imn``, population as ``name`` and the indicators as a dict."""
    years = [m.group(1) for c in frame.columns if (m := _INDEX_COLUMN.match(c))]
    if len(years) != 1:
        raise DataCheckFailed(
            f"{path.name}: se esperaba una columna IM_<año>, hay {years or 'ninguna'}."
        )
    year = years[0]
    frame = frame.copy()
    frame["anio"] = int(year)
    frame[name] = pd.to_numeric(frame[population], errors="coerce").round().astype("Int64")
    frame["im"] = pd.to_numeric(frame[f"IM_{year}"], errors="coerce")
    frame["imn"] = pd.to_numeric(frame[f"IMN_{year}"], errors="coerce")
    frame["gm"] = frame[f"GM_{year}"].str.strip().map(_grade)
    unknown = set(
        frame.loc[frame["gm"].isna() & (frame[f"GM_{year}"].str.strip() != ""), f"GM_{year}"]
    )
    if unknown:
        raise DataCheckFailed(
            f"{path.name}: grados desconocidos {sorted(unknown)}; válidos: {GRADES}."
        )
    indicators = [
        c for c in frame.columns
        if c.upper() not in _NOT_INDICATORS and c.isupper() and not c.endswith(f"_{year}")
    ]  # fmt: skip
    numbers = {c: pd.to_numeric(frame[c], errors="coerce") for c in indicators}
    frame["indicadores"] = [
        {c: (None if pd.isna(v) else float(v)) for c, v in zip(indicators, row, strict=True)}
        for row in zip(*(numbers[c] for c in indicators), strict=True)
    ]
    frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    frame["im"] = frame["im"].astype(object).where(frame["im"].notna(), None)
    frame["imn"] = frame["imn"].astype(object).where(frame["imn"].notna(), None)
    return frame


def _grade(text: str) -> str | None:
    """CONAPO spells grades with varying case ("Muy alto", "MUY ALTO"); keep one spelling."""
    by_key = {g.upper(): g for g in GRADES}
    return by_key.get(" ".join(text.upper().split()))


def _require(path: Path, frame: pd.DataFrame, columns: set[str]) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise DataCheckFailed(f"{path.name}: faltan columnas {sorted(missing)}.")
