"""Census population groups and the Spanish text of the gap ranking (no database)."""

from __future__ import annotations

import pytest

from geo.coverage.groups import group_for, parse_group
from geo.coverage.queries import motive
from geo.kernel.errors import InvalidParameter


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("65+", ("65+", 65, 100, "T", "Personas de 65 años y más")),
        ("m18-64", ("M18-64", 18, 64, "F", "Mujeres de 18 a 64 años")),
        ("H0-14", ("H0-14", 0, 14, "M", "Hombres de 0 a 14 años")),
        ("Total", ("total", 0, 100, "T", "Población total")),
        ("mujeres", ("mujeres", 0, 100, "F", "Mujeres")),
    ],
)
def test_parse_group(key: str, expected: tuple[object, ...]) -> None:
    group = parse_group(key)
    assert (group.clave, group.edad_min, group.edad_max, group.sexo, group.descripcion) == expected


@pytest.mark.parametrize("key", ["ancianos", "30-20", "0-150", "X18-64", ""])
def test_bad_groups_fail_clearly(key: str) -> None:
    with pytest.raises(InvalidParameter, match=r"Grupo de población no válido|Rango de edad"):
        parse_group(key)


def test_group_for_program_targets() -> None:
    assert group_for(None, None, None) is None
    assert group_for(65, None, None) == parse_group("65+")
    assert group_for(None, None, "M") == parse_group("mujeres")
    assert group_for(18, 64, "M") == parse_group("M18-64")
    assert group_for(None, 30, None) == parse_group("0-30")


def test_motive_text() -> None:
    item = {
        "gm": "Muy alto", "fuente_marginacion": "IML", "anio_marginacion": 2020,
        "poblacion_grupo": 1240.0, "cobertura": 0.031, "programas_ausentes": ["PAM"],
    }  # fmt: skip
    assert motive(item, "Población total") == (
        "Marginación Muy alto (IML 2020); cobertura 3 % de 1,240 hab.; sin programa PAM"
    )
    item.update(gm=None, poblacion_grupo=None, programas_ausentes=[])
    assert motive(item, "Población total") == (
        "Sin grado de marginación; sin población censal del grupo"
    )
