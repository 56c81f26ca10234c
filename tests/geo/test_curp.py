"""CURP check digit, validation and construction on hand-made cases."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import curp


@pytest.mark.parametrize(
    ("first17", "digit"),
    [("BOXW310820HNERXN0", "9"), ("BAOG500302MOCTRD0", "7"), ("CUNL031201HOCRXSA", "6")],
)
def test_check_digit(first17: str, digit: str) -> None:
    assert curp.check_digit(first17) == digit


def test_check_digit_alphabet_has_the_n_tilde_slot() -> None:
    # O is 25, not 24: without Ñ every letter after N would be off by one.
    assert curp.ALPHABET.index("O") == 25 and curp.ALPHABET.index("Ñ") == 24


def test_validate_accepts_lower_case_and_spaces() -> None:
    result = curp.validate(" boxw310820 hnerxn09 ")
    assert result == curp.CurpResult("BOXW310820HNERXN09", (), dt.date(1931, 8, 20), "H", "NE")


@pytest.mark.parametrize(
    ("raw", "flags"),
    [
        ("BOXW310820HNERXN08", ("curp_check_digit",)),
        ("BOXW311320HNERXN09", ("curp_fecha", "curp_check_digit")),
        ("BOXW310820HZZRXN09", ("curp_estado", "curp_check_digit")),
        ("BOXW310820HNERXN0", ("curp_formato",)),
        ("12345678901234567X", ("curp_formato",)),
        ("", ("curp_formato",)),
    ],
)
def test_validate_flags(raw: str, flags: tuple[str, ...]) -> None:
    assert curp.validate(raw).flags == flags


def test_century_from_the_homonym_position() -> None:
    assert curp.validate("CUNL031201HOCRXSA6").birth_date == dt.date(2003, 12, 1)
    assert curp.validate("BAOG500302MOCTRD07").birth_date == dt.date(1950, 3, 2)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("Bautista", "Ortiz", "María Guadalupe", dt.date(1950, 3, 2), "M", "20"),
            "BAOG500302MOCTRD07",
        ),
        # Particles skipped, JOSE skipped before a second name, Ñ as X, letter homoclave from 2000.
        (
            ("de la Cruz", "Núñez", "José Luis", dt.date(2003, 12, 1), "H", "OC"),
            "CUNL031201HOCRXSA6",
        ),
        # No second surname: X.
        (("Pérez", None, "Juan", dt.date(1980, 1, 1), "H", "09"), "PEXJ800101HDFRXN01"),
        # "Ma." abbreviates MARIA.
        (
            ("Bautista", "Ortiz", "Ma. Guadalupe", dt.date(1950, 3, 2), "M", "20"),
            "BAOG500302MOCTRD07",
        ),
    ],
)
def test_build(args: tuple[object, ...], expected: str) -> None:
    assert curp.build(*args) == expected  # type: ignore[arg-type]
    assert curp.validate(expected).flags == ()


def test_build_replaces_inconvenient_words() -> None:
    # P-E-D-O would spell an insult: the second letter becomes X.
    value = curp.build("Pedraza", "Domínguez", "Octavio", dt.date(1990, 5, 5), "H", "20")
    assert value.startswith("PXDO")


def test_build_rejects_unknown_state_and_sex() -> None:
    with pytest.raises(ValueError, match="Entidad"):
        curp.build("A", "B", "C", dt.date(1990, 1, 1), "H", "99")
    with pytest.raises(ValueError, match="Sexo"):
        curp.build("A", "B", "C", dt.date(1990, 1, 1), "Q", "20")


def test_agrees_with_the_record() -> None:
    value = "BAOG500302MOCTRD07"
    assert (
        curp.agrees_with(value, "Bautista", "Ortiz", "Ma. Guadalupe", dt.date(1950, 3, 2), "M")
        == ()
    )
    assert curp.agrees_with(value, "Bautista", "Ortiz", "Guadalupe", dt.date(1951, 3, 2), "H") == (
        "curp_no_coincide_fecha",
        "curp_no_coincide_sexo",
    )
    assert curp.agrees_with(value, "López", "Ortiz", "Guadalupe", None, None) == (
        "curp_no_coincide_nombre",
    )
