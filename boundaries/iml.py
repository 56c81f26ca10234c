"""Reader for CONAPO's locality marginality index (IML 2020), missing from Oaxaca's shared data.

Published layout, as verified in public material (no copy of the file itself was available):

* CONAPO's own R package ``IndiceMx/IMx2020`` documents ``IML_2020`` as 110,239 rows of 19
  variables, printed in its README as ``CVE_LOC`` (9 chars, e.g. ``010010001``), ``ENT``,
  ``NOM_ENT``, ``MUN``, ``NOM_MUN``, ``LOC``, ``NOM_LOC``, ``POB_TOT``, ``ANALF``, ``SBASC``,
  ``OVSDE``, ``OVSEE``, ``OVSAE``, ``OVPT``, ``OVSREF``, ``OVHAC``, ``IM_2020``, ``GM_2020``,
  ``IMN_2020``. The locality index has no ``OVSINT``/``OVSCEL`` (those are urban-AGEB only).
* A public CSV export ``IML_2020.csv`` has the same 19 columns (``OVHAC`` before ``OVSREF``) and
  108,144 rows; a public script reads CONAPO's ``IML_2020.xls`` (inside ``IML_2020.zip``) from a
  sheet named ``IML_2020_2``, consistent with a workbook split in sheets by the .xls row limit.

Not verified: the exact sheet names and header row of ``IML_2020.xls``, and why the row counts
differ. So the reader accepts ``CVE_ENT``/``ENT``, ``CVE_MUN``/``MUN``, ``LOC``/``CVE_LOC`` and a
9-char ``CVE_LOC``/``CVEGEO``, stacks every sheet that carries the index, and rebuilds the key from
its parts, repairing leading zeros that spreadsheets drop. Reading ``.xls`` needs ``xlrd``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from boundaries.catalog import normalize_cve_ent
from boundaries.conapo import index_columns, read_table
from geo.kernel.errors import DataCheckFailed, InvalidParameter

COLUMNS = ["cvegeo", "nom_mun", "nom_loc", "anio", "pob_tot", "im", "gm", "imn", "indicadores"]
"""Output columns; ``indicadores`` is a dict ``{"ANALF": 7.1, ...}`` as in ``boundaries.conapo``."""

_WHOLE_FLOAT = re.compile(r"^(\d+)\.0*$")
_INDEX = re.compile(r"^IM_\d{4}$")
_NOT_PLACES = frozenset({"0000", "9998", "9999"})
"""Municipal totals and 1–2 dwelling aggregates, as in ``boundaries.inegi.AGGREGATE_LOCALITIES``
(not imported: ``boundaries.inegi`` pulls in the geometry stack)."""
_KEY_COLUMNS = ("CVE_ENT", "ENT", "CVE_MUN", "MUN", "CVE_LOC", "LOC", "CVEGEO", "NOM_ENT")


def read_iml(path: Path, cve_ent: str | int | None = None) -> pd.DataFrame:
    """Locality index by 9-char ``cvegeo``, one row per locality, optionally for one state.

    Rows for municipal totals and 1–2 dwelling aggregates (``LOC`` 0000, 9998, 9999) are dropped.
    """
    frame = _read(path)
    if "POB_TOT" not in frame.columns:
        raise DataCheckFailed(f"{path.name}: falta la columna POB_TOT del IML.")
    frame["cvegeo"] = _cvegeo(path, frame)
    frame = frame.loc[~frame["cvegeo"].str[5:].isin(_NOT_PLACES)]
    if cve_ent is not None:
        frame = frame.loc[frame["cvegeo"].str.startswith(normalize_cve_ent(cve_ent))]
    repeated = frame.loc[frame["cvegeo"].duplicated(), "cvegeo"]
    if not repeated.empty:
        raise DataCheckFailed(f"{path.name}: claves repetidas {sorted(set(repeated))[:5]}.")
    frame["nom_mun"] = _text(frame, "NOM_MUN")
    frame["nom_loc"] = _text(frame, "NOM_LOC")
    frame = frame.drop(columns=[c for c in _KEY_COLUMNS if c in frame.columns])
    frame = frame.drop(columns=["NOM_MUN", "NOM_LOC"], errors="ignore")
    return index_columns(path, frame, "POB_TOT", "pob_tot")[COLUMNS].reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    """CSV through the CONAPO reader; workbooks sheet by sheet, keeping those with the index."""
    if path.suffix.lower() not in {".xlsx", ".xls"}:
        return read_table(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    except ImportError as exc:
        raise InvalidParameter(
            f"{path.name}: leer libros .xls requiere el paquete xlrd, que no está instalado; "
            "ábralo y guárdelo como .xlsx o CSV."
        ) from exc
    frames = []
    for sheet in sheets.values():
        sheet.columns = [str(c).strip().upper() for c in sheet.columns]
        if any(_INDEX.match(c) for c in sheet.columns):
            frames.append(sheet.fillna(""))
    if not frames:
        raise DataCheckFailed(f"{path.name}: ninguna hoja tiene la columna IM_<año> del IML.")
    return pd.concat(frames, ignore_index=True)


def _cvegeo(path: Path, frame: pd.DataFrame) -> pd.Series:
    """Rebuild ``ent+mun+loc`` from the parts and cross-check it against a full key if present."""
    full_column = next((c for c in ("CVEGEO", "CVE_LOC") if _is_full_key(frame, c)), None)
    ent = _digits(frame, "CVE_ENT", "ENT")
    mun = _digits(frame, "CVE_MUN", "MUN")
    loc = _digits(frame, "LOC") if full_column == "CVE_LOC" else _digits(frame, "LOC", "CVE_LOC")
    whole = _digits(frame, full_column) if full_column else None
    full = None if whole is None else whole.str.zfill(9)
    if ent is not None and mun is not None and loc is not None:
        # A 4-5 digit municipal key carries the state in front ("20001", or "1001" for "01001").
        key = ent.str.zfill(2) + mun.str.zfill(3).str[-3:] + loc.str.zfill(4)
        if full is not None and (bad := key != full).any():
            raise DataCheckFailed(
                f"{path.name}: {full_column} no coincide con ENT+MUN+LOC en {int(bad.sum())} "
                f"filas, p. ej. {full[bad].iloc[0]} ≠ {key[bad].iloc[0]}."
            )
    elif full is not None:
        key = full
    else:
        raise DataCheckFailed(
            f"{path.name}: no se puede armar la clave de localidad; se necesitan ENT, MUN y LOC "
            "(o CVE_ENT, CVE_MUN, CVE_LOC) o una clave completa CVE_LOC/CVEGEO de 9 dígitos."
        )
    wrong = ~key.str.fullmatch(r"(0[1-9]|[12]\d|3[0-2])\d{7}")
    if wrong.any():
        raise DataCheckFailed(
            f"{path.name}: {int(wrong.sum())} claves de localidad inválidas, p. ej. "
            f"{sorted(set(key[wrong]))[:5]}."
        )
    return key


def _is_full_key(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool((frame[column].str.strip().str.len() > 4).any())


def _digits(frame: pd.DataFrame, *candidates: str) -> pd.Series | None:
    """The first candidate column as digit strings ("1.0" from a workbook becomes "1")."""
    column = next((c for c in candidates if c in frame.columns), None)
    if column is None:
        return None
    return frame[column].astype(str).str.strip().str.replace(_WHOLE_FLOAT, r"\1", regex=True)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    values = frame[column].astype(str).str.strip()
    return values.astype(object).where(values != "", None)
