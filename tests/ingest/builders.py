"""Builders for hand-made rosters in the PUB layout (fixture ``write_roster`` in conftest)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.ingest import PUB_FIELDS

BASE_ROW = {
    "ID_REGISTRO": "F0001",
    "CD_PROGRAMA": "",
    "PERIODO": "2024",
    "FH_ALTA": "2024-01-15",
    "NB_PRIMER_AP": "Bautista",
    "NB_SEGUNDO_AP": "Ortiz",
    "NB_NOMBRE": "María Guadalupe",
    "FH_NACIMIENTO": "1950-03-02",
    "CD_SEXO": "M",
    "CD_EDO_NAC": "OC",
    "NB_CURP": "BAOG500302MOCTRD07",
    "NU_IMP_MONETARIO": "3100.00",
    "TIPOVIAL": "CALLE",
    "NOMVIAL": "Hidalgo",
    "NUMEXTNUM1": "12",
    "NUMEXTALF1": "",
    "NUMINTNUM": "",
    "NUMINTALF": "",
    "TIPOASEN": "BARRIO",
    "NOMASEN": "Centro",
    "CP": "68000",
    "CVE_ENT": "20",
    "NOM_ENT": "Oaxaca",
    "CVE_MUN": "067",
    "NOM_MUN": "Oaxaca de Juárez",
    "CVE_LOC": "0001",
    "NOM_LOC": "Oaxaca de Juárez",
    "DESCRUBIC": "Frente al mercado",
    "LONGITUD": "-96.7255",
    "LATITUD": "17.0600",
}

RosterWriter = Callable[..., Path]


def roster_writer(tmp_path: Path) -> RosterWriter:
    """Write rows (overrides of ``BASE_ROW``) as a CSV with the given encoding and delimiter."""

    def write(
        rows: list[dict[str, Any]],
        name: str = "padron.csv",
        encoding: str = "utf-8",
        delimiter: str = ",",
        header: list[str] | None = None,
    ) -> Path:
        path = tmp_path / name
        columns = header or list(PUB_FIELDS)
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(columns)
            for overrides in rows:
                row = {**BASE_ROW, **overrides}
                writer.writerow([row.get(c.strip().upper(), "") for c in columns])
        return path

    return write
