"""Reader for the SEPOMEX postal-code catalogue (Correos de México), in its published TXT layout.

The license forbids redistributing the catalogue, so the operator downloads it and passes the
file here. Layout (PROVENANCE.md, cut 2024-11-16): Latin-1, CRLF, ``|``-separated; line 1 is the
usage notice, line 2 the header, 15 columns ``d_codigo|d_asenta|d_tipo_asenta|D_mnpio|d_estado|
d_ciudad|d_CP|c_estado|c_oficina|c_CP|c_tipo_asenta|c_mnpio|id_asenta_cpcons|d_zona|c_cve_ciudad``.
``c_mnpio`` equals INEGI's municipal key, so joins use ``cvegeo_mun``, never names.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from boundaries.catalog import normalize_cve_ent
from geo.kernel.errors import DataCheckFailed

HEADER = (
    "d_codigo", "d_asenta", "d_tipo_asenta", "d_mnpio", "d_estado", "d_ciudad", "d_cp",
    "c_estado", "c_oficina", "c_cp", "c_tipo_asenta", "c_mnpio", "id_asenta_cpcons", "d_zona",
    "c_cve_ciudad",
)  # fmt: skip
"""The 15 published columns, lower-cased (the file spells ``D_mnpio`` and ``d_CP``)."""

COLUMNS = [
    "cp", "asentamiento", "tipo_asentamiento", "municipio", "cvegeo_mun", "id_asenta_cpcons",
    "zona", "ciudad",
]  # fmt: skip


def read_sepomex(path: Path, cve_ent: str | int | None = None) -> pd.DataFrame:
    """Settlements with their postal code ``cp`` and INEGI municipality ``cvegeo_mun``.

    Leading zeros lost by a spreadsheet (``1000`` for ``01000``) are restored; empty
    ``d_ciudad`` (common in rural Oaxaca) becomes ``None``.
    """
    with path.open("r", encoding="latin-1", newline="") as handle:
        first = handle.readline()
    # Some copies arrive without the notice line: find the header instead of assuming it.
    skip = 0 if first.strip().lower().startswith("d_codigo|") else 1
    frame = pd.read_csv(
        path,
        sep="|",
        encoding="latin-1",
        skiprows=skip,
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,
    )
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if tuple(frame.columns) != HEADER:
        raise DataCheckFailed(
            f"{path.name}: encabezado inesperado para el catálogo de SEPOMEX "
            f"({len(frame.columns)} columnas: {'|'.join(frame.columns)}); se esperaban "
            f"{len(HEADER)}: {'|'.join(HEADER)}."
        )
    frame = frame.apply(lambda column: column.str.strip())
    frame["cp"] = frame["d_codigo"].str.zfill(5)
    frame["cvegeo_mun"] = frame["c_estado"].str.zfill(2) + frame["c_mnpio"].str.zfill(3)
    bad = ~(frame["cp"].str.fullmatch(r"\d{5}") & frame["cvegeo_mun"].str.fullmatch(r"\d{5}"))
    if bad.any():
        sample = frame.loc[bad, ["d_codigo", "c_estado", "c_mnpio"]].head(3).to_dict("records")
        raise DataCheckFailed(
            f"{path.name}: {int(bad.sum())} filas con código postal o municipio inválido, "
            f"p. ej. {sample}."
        )
    if cve_ent is not None:
        frame = frame.loc[frame["cvegeo_mun"].str.startswith(normalize_cve_ent(cve_ent))]
    frame = frame.rename(
        columns={
            "d_asenta": "asentamiento",
            "d_tipo_asenta": "tipo_asentamiento",
            "d_mnpio": "municipio",
            "d_zona": "zona",
            "d_ciudad": "ciudad",
        }
    )
    frame["id_asenta_cpcons"] = frame["id_asenta_cpcons"].str.zfill(4)
    frame["ciudad"] = frame["ciudad"].astype(object).where(frame["ciudad"] != "", None)
    return frame[COLUMNS].reset_index(drop=True)
