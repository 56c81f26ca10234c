"""Hand-made records for matching tests: PUB roster rows (:func:`row`) and records as matching
reads them (:func:`record`), all born on :data:`BORN`."""

from __future__ import annotations

import datetime as dt

BORN = dt.date(1931, 7, 9)
"""A date no other module's records use: the blocks stay private to these tests."""


def row(folio: str, first: str, second: str, given: str, sex: str, **extra: str) -> dict[str, str]:
    """A roster row in the PUB layout, in municipality 067; ``curp`` and other columns by name."""
    return {
        "ID_REGISTRO": folio, "NB_CURP": extra.pop("curp", ""), "NB_PRIMER_AP": first,
        "NB_SEGUNDO_AP": second, "NB_NOMBRE": given, "FH_NACIMIENTO": BORN.isoformat(),
        "CD_SEXO": sex, "CVE_MUN": "067", "CVE_LOC": "0001", **extra,
    }  # fmt: skip


def record(n: int = 0, **fields: object) -> dict[str, object]:
    """A record as matching reads it; each test states only what matters."""
    base: dict[str, object] = {
        "id": n, "persona_id": None, "curp": None, "curp_valida": False,
        "primer_ap_norm": "LOPEZ", "segundo_ap_norm": "DIAZ", "nombre_norm": "ROSA",
        "fecha_nacimiento": BORN, "sexo": "M", "edo_nac": "OC", "cve_mun": "067",
        "cve_loc": "0001", "cp": "68000",
    }  # fmt: skip
    return base | fields
