"""Matching forms of Mexican names."""

from __future__ import annotations

import pytest

from geo import names


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Núñez", "NUNEZ"),
        ("NUÃ‘EZ", "NUNEZ"),  # UTF-8 read as CP1252
        ("NU#EZ", "NUNEZ"),
        ("  de   la  Cruz ", "DE LA CRUZ"),
        ("O'Higgins-Pérez", "O HIGGINS PEREZ"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert names.fold(raw) == folded


@pytest.mark.parametrize(
    ("raw", "given", "core"),
    [
        ("Ma. Guadalupe", "MARIA GUADALUPE", "GUADALUPE"),
        ("MA GUADALUPE", "MARIA GUADALUPE", "GUADALUPE"),
        ("J. Jesús", "JOSE JESUS", "JESUS"),
        ("María", "MARIA", "MARIA"),
        ("Francisca", "FRANCISCA", "FRANCISCA"),
    ],
)
def test_given_names(raw: str, given: str, core: str) -> None:
    assert names.normalize_given(raw) == given
    assert names.given_names_core(raw) == core


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("de la Cruz", "CRUZ"),
        ("Del Valle", "VALLE"),
        ("López de García", "LOPEZ"),
        ("López Vda. de García", "LOPEZ"),
        ("Hernández", "HERNANDEZ"),
    ],
)
def test_surname_core(raw: str, core: str) -> None:
    assert names.surname_core(raw) == core
    assert names.normalize_surname(raw) == names.fold(raw)
