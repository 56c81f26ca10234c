"""Census population groups (age range and sex) that coverage can be measured against.

ITER 2020 publishes population in five-year age groups by sex (``boundaries.poblacion_edad``,
85 and over open-ended). A group key names an age range and optionally a sex: ``65+``,
``6-17``, ``M18-64`` (women), ``H0-14`` (men), plus ``total``, ``mujeres`` and ``hombres``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.kernel.errors import InvalidParameter

OLDEST = 100
"""Upper end assumed for the open 85+ census group and for open-ended ranges."""

_KEY = re.compile(r"^(?P<sexo>[MH])?(?P<min>\d{1,3})(?:-(?P<max>\d{1,3})|\+)$")


@dataclass(frozen=True)
class Group:
    """An age range (inclusive) and a census sex code (``T`` both, ``F`` women, ``M`` men)."""

    clave: str
    edad_min: int
    edad_max: int
    sexo: str

    @property
    def descripcion(self) -> str:
        """Spanish description for tables and popups."""
        who = {"T": "Personas", "F": "Mujeres", "M": "Hombres"}[self.sexo]
        if self.edad_min == 0 and self.edad_max >= OLDEST:
            return {"T": "Población total", "F": "Mujeres", "M": "Hombres"}[self.sexo]
        if self.edad_max >= OLDEST:
            return f"{who} de {self.edad_min} años y más"
        return f"{who} de {self.edad_min} a {self.edad_max} años"


NAMED = {
    "total": Group("total", 0, OLDEST, "T"),
    "mujeres": Group("mujeres", 0, OLDEST, "F"),
    "hombres": Group("hombres", 0, OLDEST, "M"),
}

STANDARD_KEYS = ("total", "mujeres", "0-14", "6-17", "18-64", "65+")
"""Groups computed for every area when areas are built; others are added on demand."""


def parse_group(key: str) -> Group:
    """``'65+'`` → ages 65-100 both sexes; ``'M18-64'`` → women 18-64 (M = mujeres, H = hombres)."""
    key = key.strip()
    if key.lower() in NAMED:
        return NAMED[key.lower()]
    match = _KEY.match(key.upper())
    if not match:
        raise InvalidParameter(
            f"Grupo de población no válido: {key!r}. Use total, mujeres, hombres, un rango de "
            "edad como 6-17 o 65+, con M (mujeres) o H (hombres) delante si aplica: M18-64."
        )
    low = int(match["min"])
    high = int(match["max"]) if match["max"] else OLDEST
    if low > high or high > OLDEST:
        raise InvalidParameter(f"Rango de edad no válido en el grupo {key!r}.")
    sex = {"M": "F", "H": "M", None: "T"}[match["sexo"]]
    return Group(key.upper(), low, high, sex)


def group_for(edad_min: int | None, edad_max: int | None, sexo: str | None) -> Group | None:
    """The group of a program's target (None when it targets everybody)."""
    if edad_min is None and edad_max is None and sexo is None:
        return None
    low, high = edad_min or 0, min(edad_max if edad_max is not None else OLDEST, OLDEST)
    prefix = {"M": "M", "H": "H", None: ""}[sexo]
    if low == 0 and high == OLDEST:
        return parse_group({"M": "mujeres", "H": "hombres", None: "total"}[sexo])
    return parse_group(f"{prefix}{low}+" if high == OLDEST else f"{prefix}{low}-{high}")
