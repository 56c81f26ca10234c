"""CURP check digit, validation, construction and agreement with the record, on hand-made cases."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.kernel import curp

# -- alphabet, states -------------------------------------------------------------------------


def test_alphabet_has_the_n_tilde_slot() -> None:
    assert len(curp.ALPHABET) == 37
    # O is 25, not 24: without Ñ every letter after N would be off by one.
    assert (curp.ALPHABET.index("N"), curp.ALPHABET.index("Ñ"), curp.ALPHABET.index("O")) == (
        23,
        24,
        25,
    )
    assert curp.ALPHABET.index("Z") == 36


def test_state_correspondence_is_inegi_order() -> None:
    assert curp.CURP_STATE_BY_INEGI == {
        "01": "AS", "02": "BC", "03": "BS", "04": "CC", "05": "CL", "06": "CM", "07": "CS",
        "08": "CH", "09": "DF", "10": "DG", "11": "GT", "12": "GR", "13": "HG", "14": "JC",
        "15": "MC", "16": "MN", "17": "MS", "18": "NT", "19": "NL", "20": "OC", "21": "PL",
        "22": "QT", "23": "QR", "24": "SP", "25": "SL", "26": "SR", "27": "TC", "28": "TS",
        "29": "TL", "30": "VZ", "31": "YN", "32": "ZS",
    }  # fmt: skip
    assert curp.INEGI_BY_CURP_STATE["OC"] == "20"
    assert curp.INEGI_BY_CURP_STATE["CS"] == "07"
    assert len(curp.STATE_CODES) == 33
    assert "NE" in curp.STATE_CODES
    assert "NE" not in curp.INEGI_BY_CURP_STATE


def test_inconvenient_words_list() -> None:
    assert len(curp.INCONVENIENT) == 81
    assert {"BACA", "BUEY", "CACA", "CULO", "PEDO", "PUTO", "WUEY", "RUIN", "QULO"} <= (
        curp.INCONVENIENT
    )
    assert all(len(w) == 4 and w[1] != "X" for w in curp.INCONVENIENT)


# -- check digit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "digit"),
    [
        ("BOXW310820HNERXN0", "9"),  # DOMAIN.md's example: S = 2551
        ("BEML920313HMCLNS0", "9"),  # the public example of Luis Raúl Bello Mena
        ("BAOG500302MOCTRD0", "7"),
        ("CUNL031201HOCRXSA", "6"),
        ("N0000000000000000", "6"),  # 23·18 = 414
        ("Ñ0000000000000000", "8"),  # 24·18 = 432: the Ñ slot counts
        ("O0000000000000000", "0"),  # 25·18 = 450, shifted by the Ñ slot
        ("0000000000000000Ñ", "2"),  # 24·2 = 48
        ("00000000000000000", "0"),
        ("ZZZZZZZZZZZZZZZZZ", "0"),  # 36·170 = 6120
    ],
)
def test_check_digit(first17: str, digit: str) -> None:
    assert curp.check_digit(first17) == digit


@pytest.mark.parametrize("bad", ["BOXW310820HNERXN", "BOXW310820HNERXN09", "BOXW310820HNERXn0"])
def test_check_digit_refuses_what_it_cannot_weigh(bad: str) -> None:
    with pytest.raises(ValueError, match=r"17 caracteres|alfabeto"):
        curp.check_digit(bad)


# -- validate ---------------------------------------------------------------------------------


def test_validate_a_good_curp() -> None:
    assert curp.validate("BOXW310820HNERXN09") == curp.CurpResult(
        "BOXW310820HNERXN09", (), dt.date(1931, 8, 20), "H", "NE"
    )


def test_validate_accepts_lower_case_and_spaces() -> None:
    result = curp.validate(" boxw310820 hnerxn09\t")
    assert result == curp.CurpResult("BOXW310820HNERXN09", (), dt.date(1931, 8, 20), "H", "NE")
    assert result.usable


@pytest.mark.parametrize(
    ("raw", "flags"),
    [
        ("BOXW310820HNERXN08", ("curp_check_digit",)),
        ("BOXW311320HNERXN09", ("curp_fecha", "curp_check_digit")),
        ("BOXW310230HNERXN05", ("curp_fecha",)),  # 30 February
        ("BOXW310820HZZRXN06", ("curp_estado",)),
        ("BOXW310820HZZRXN09", ("curp_estado", "curp_check_digit")),
        ("BOXW311320HZZRXN00", ("curp_fecha", "curp_estado", "curp_check_digit")),
        ("BOXW310820XNERXN03", ()),  # sex X
    ],
)
def test_validate_flags(raw: str, flags: tuple[str, ...]) -> None:
    assert curp.validate(raw).flags == flags
    assert curp.validate(raw).usable


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("BOXW310820HNERXN0", "BOXW310820HNERXN0"),  # 17 characters
        ("BOXW310820HNERXN099", "BOXW310820HNERXN099"),  # 19
        ("12345678901234567X", "12345678901234567X"),
        ("BOXW310820QNERXN09", "BOXW310820QNERXN09"),  # sex Q
        ("BOXW31O820HNERXN09", "BOXW31O820HNERXN09"),  # letter O in the date
        ("BOXW310820HNERXNA9", None),  # homonym letter is fine: checked below
        ("BOXW310820HNERXN0A", "BOXW310820HNERXN0A"),  # check digit must be a digit
        ("BÑXW310820HNERXN09", "BÑXW310820HNERXN09"),  # Ñ never appears in a CURP
        ("BOXW-310820-HNERXN09", "BOXW-310820-HNERXN09"),
    ],
)
def test_validate_shape(raw: str, value: str | None) -> None:
    result = curp.validate(raw)
    if value is None:
        assert "curp_formato" not in result.flags
        return
    assert result == curp.CurpResult(value, ("curp_formato",))
    assert not result.usable


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
def test_validate_empty(raw: str | None) -> None:
    assert curp.validate(raw) == curp.CurpResult(None, ("curp_formato",))
    assert not curp.validate(raw).usable


def test_century_from_the_homonym_position() -> None:
    assert curp.validate("CUNL031201HOCRXSA6").birth_date == dt.date(2003, 12, 1)
    assert curp.validate("BAOG500302MOCTRD07").birth_date == dt.date(1950, 3, 2)
    # 29 February exists in 2000 and not in 1900: the century decides.
    assert curp.validate("AAAA000229HOCXXXA" + curp.check_digit("AAAA000229HOCXXXA")).flags == ()
    assert curp.validate("AAAA000229HOCXXX0" + curp.check_digit("AAAA000229HOCXXX0")).flags == (
        "curp_fecha",
    )


def test_validate_parses_sex_and_state() -> None:
    result = curp.validate("BAOG500302MOCTRD07")
    assert (result.sex, result.state) == ("M", "OC")


# -- build ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Wikipedia's example, state given by INEGI key.
        (("Bello", "Mena", "Luis Raúl", dt.date(1992, 3, 13), "H", "15"), "BEML920313HMCLNS09"),
        (
            ("Bautista", "Ortiz", "María Guadalupe", dt.date(1950, 3, 2), "M", "20"),
            "BAOG500302MOCTRD07",
        ),
        # "Ma." abbreviates MARIA, "J." JOSE; both skipped before a second name.
        (
            ("BAUTISTA", "ORTIZ", "Ma. Guadalupe", dt.date(1950, 3, 2), "M", "OC"),
            "BAOG500302MOCTRD07",
        ),
        (("Pérez", "Ruiz", "J. Jesús", dt.date(1980, 1, 1), "H", "20"), "PERJ800101HOCRZS05"),
        (("Pérez", "Ruiz", "Jose", dt.date(1980, 1, 1), "H", "20"), "PERJ800101HOCRZS05"),
        (("Pérez", "Ruiz", "María", dt.date(1980, 1, 1), "M", "20"), "PERM800101MOCRZR03"),
        # Particles skipped, JOSE skipped before a second name, Ñ as X, letter from 2000.
        (
            ("de la Cruz", "Núñez", "José Luis", dt.date(2003, 12, 1), "H", "OC"),
            "CUNL031201HOCRXSA6",
        ),
        (
            ("López", "Del Valle", "María de los Ángeles", dt.date(1970, 1, 1), "M", "20"),
            "LOVA700101MOCPLN01",
        ),
        (
            ("Mc Gregor", "Van der Berg", "Yolanda", dt.date(1970, 1, 1), "M", "09"),
            "GEBY700101MDFRRL03",
        ),
        # Ñ becomes X wherever it is taken: initial, internal consonant.
        (("Muñoz", "Peña", "Ñandú", dt.date(2001, 1, 31), "M", "OC"), "MUPX010131MOCXXNA0"),
        # No second surname (None or empty): X; no internal vowel or consonant: X.
        (("Pérez", None, "Juan", dt.date(1980, 1, 1), "H", "09"), "PEXJ800101HDFRXN01"),
        (("López", "", "María", dt.date(1970, 1, 1), "M", "20"), "LOXM700101MOCPXR02"),
        (("Ng", "Ux", "Ma. Guadalupe", dt.date(1970, 1, 1), "M", "20"), "NXUG700101MOCGXD06"),
        # A single surname goes first, whichever field carries it.
        ((None, "López", "Ana", dt.date(1970, 1, 1), "M", "20"), "LOXA700101MOCPXN07"),
        # Special characters become X where they are taken; dots only end words.
        (
            ("O'Connor", "Gil-García", "J.Jesús", dt.date(1970, 1, 1), "H", "NE"),
            "OOGJ700101HNEXLS04",
        ),
        # Born abroad, sex X.
        (("Smith", "Jones", "Alex", dt.date(1999, 12, 31), "X", "NE"), "SIJA991231XNEMNL00"),
    ],
)
def test_build(args: tuple[object, ...], expected: str) -> None:
    assert curp.build(*args) == expected  # type: ignore[arg-type]
    assert curp.validate(expected).flags == ()


def test_build_accepts_decomposed_unicode() -> None:
    # "Núñez" typed as N + U+0301 ... : one letter each, Ñ still X.
    decomposed = "Nu\u0301n\u0303ez"
    assert curp.build(decomposed, "Ruiz", "Ana", dt.date(1970, 1, 1), "M", "20") == (
        curp.build("Núñez", "Ruiz", "Ana", dt.date(1970, 1, 1), "M", "20")
    )
    assert curp.build(decomposed, "Ruiz", "Ana", dt.date(1970, 1, 1), "M", "20")[:4] == "NURA"


@pytest.mark.parametrize(
    ("names", "head"),
    [
        (("Pedraza", "Domínguez", "Octavio"), "PXDO"),  # PEDO
        (("Bautista", "Camacho", "Olga"), "BACO"),  # not on the list: unchanged
        (("Bacilio", "Cruz", "Alberto"), "BXCA"),  # BACA
        (("Güemes", "Estrada", "Yolanda"), "GXEY"),  # GUEY, with the diaeresis dropped
        (("Cuevas", "López", "Olga"), "CXLO"),  # CULO
        (("Robles", "Bernal", "Ofelia"), "RXBO"),  # ROBO
        (("Ruiz", "Ibarra", "Norma"), "RXIN"),  # RUIN
        (("Pérez", "Ibáñez", "Ignacio"), "PEII"),  # PEII is not a word
    ],
)
def test_build_replaces_inconvenient_words(names: tuple[str, str, str], head: str) -> None:
    value = curp.build(*names, dt.date(1990, 5, 5), "H", "20")
    assert value[:4] == head
    assert curp.validate(value).flags == ()


@pytest.mark.parametrize(
    ("born", "homoclave", "position17"),
    [
        (dt.date(1999, 12, 31), None, "0"),
        (dt.date(2000, 1, 1), None, "A"),
        (dt.date(1948, 5, 17), "1", "1"),
        (dt.date(2010, 5, 17), "C", "C"),
    ],
)
def test_build_homonym_position(born: dt.date, homoclave: str | None, position17: str) -> None:
    value = curp.build("Velasco", "Aquino", "Dora", born, "M", "20", homoclave)
    assert value[16] == position17
    assert curp.validate(value).birth_date == born


def test_build_known_homonyms_differ_only_in_positions_17_and_18() -> None:
    born = dt.date(1948, 5, 17)
    first = curp.build("Velasco", "Aquino", "Dora", born, "M", "20", homoclave="0")
    second = curp.build("Velasco", "Aquino", "Dora", born, "M", "20", homoclave="1")
    assert first == "VEAD480517MOCLQR03"
    assert second == "VEAD480517MOCLQR11"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"state": "99"}, "Entidad"),
        ({"state": "XX"}, "Entidad"),
        ({"sex": "Q"}, "Sexo"),
        ({"sex": "h"}, "Sexo"),
        ({"born": dt.date(1899, 12, 31)}, "1900 a 2099"),
        ({"born": dt.date(2100, 1, 1)}, "1900 a 2099"),
        ({"homoclave": "A"}, "Diferenciador"),  # a letter before 2000
        ({"homoclave": "10"}, "Diferenciador"),
        ({"born": dt.date(2001, 1, 1), "homoclave": "1"}, "Diferenciador"),
    ],
)
def test_build_rejects_what_no_curp_can_encode(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"born": dt.date(1990, 1, 1), "sex": "H", "state": "20"} | kwargs
    with pytest.raises(ValueError, match=message):
        curp.build(
            "Ávila",
            "Cruz",
            "Eva",
            args["born"],
            args["sex"],
            args["state"],
            args.get("homoclave"),  # type: ignore[arg-type]
        )


def test_build_accepts_state_keys_without_leading_zero_and_lower_case_codes() -> None:
    born = dt.date(1990, 1, 1)
    expected = curp.build("Ávila", "Cruz", "Eva", born, "M", "07")
    assert expected[11:13] == "CS"
    assert curp.build("Ávila", "Cruz", "Eva", born, "M", "7") == expected
    assert curp.build("Ávila", "Cruz", "Eva", born, "M", "cs") == expected


# -- agrees_with ------------------------------------------------------------------------------

GUADALUPE = "BAOG500302MOCTRD07"
BORN = dt.date(1950, 3, 2)


def test_agrees_with_its_own_record() -> None:
    assert curp.agrees_with(GUADALUPE, "Bautista", "Ortiz", "Ma. Guadalupe", BORN, "M") == ()
    assert curp.agrees_with(GUADALUPE, "BAUTISTA", "ORTIZ", "GUADALUPE", BORN, "M") == ()
    assert (
        curp.agrees_with(curp.validate(GUADALUPE), "Bautista", "Ortiz", "Guadalupe", BORN, "M")
        == ()
    )


@pytest.mark.parametrize(
    ("record", "flags"),
    [
        (("Bautista", "Ortiz", "Guadalupe", dt.date(1951, 3, 2), "H"),
         ("curp_no_coincide_fecha", "curp_no_coincide_sexo")),
        (("López", "Ortiz", "Guadalupe", None, None), ("curp_no_coincide_nombre",)),
        (("Bautista", "Ruiz", "Guadalupe", BORN, "M"), ("curp_no_coincide_nombre",)),  # pos. 3
        (("Bautista", "Olmos", "Guadalupe", BORN, "M"), ("curp_no_coincide_nombre",)),  # pos. 15
        (("Bautista", "Ortiz", "Rosa", BORN, "M"), ("curp_no_coincide_nombre",)),
        (("Baños", "Ortiz", "Guadalupe", BORN, "M"), ("curp_no_coincide_nombre",)),  # pos. 14
        # Swapped surnames are a disagreement too.
        (("Ortiz", "Bautista", "Guadalupe", BORN, "M"), ("curp_no_coincide_nombre",)),
        (("Bautista", "Ortiz", "Guadalupe", dt.date(1950, 3, 3), "M"), ("curp_no_coincide_fecha",)),
    ],
)  # fmt: skip
def test_agrees_with_flags(record: tuple[object, ...], flags: tuple[str, ...]) -> None:
    assert curp.agrees_with(GUADALUPE, *record) == flags  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "record",
    [
        ("Bautista", None, "Guadalupe", BORN, "M"),  # second surname missing
        ("Bautista", "", "Guadalupe", BORN, "M"),
        ("Bautista", "Ortiz", None, BORN, "M"),  # given name missing
        (None, None, "Guadalupe", None, None),  # only the given name
        (None, "Ortiz", "Guadalupe", BORN, "M"),  # no first surname: RENAPO reorders
        (None, None, None, None, None),
        ("Bautista", "Ortiz", "Guadalupe", BORN, ""),
        ("Bautista", "Ortiz", "Guadalupe", BORN, "?"),
        ("de la Bautista", "Ortiz", "María Guadalupe", BORN, "M"),
    ],
)
def test_agrees_with_is_lenient_with_missing_fields(record: tuple[object, ...]) -> None:
    assert curp.agrees_with(GUADALUPE, *record) == ()  # type: ignore[arg-type]


def test_agrees_with_inconvenient_word_replacement() -> None:
    value = curp.build("Pedraza", "Domínguez", "Octavio", dt.date(1990, 5, 5), "H", "20")
    assert value[:4] == "PXDO"
    born = dt.date(1990, 5, 5)
    assert curp.agrees_with(value, "Pedraza", "Domínguez", "Octavio", born, "H") == ()
    # Without the second surname the record alone spells PEXO, yet the X is RENAPO's.
    assert curp.agrees_with(value, "Pedraza", None, "Octavio", born, "H") == ()
    assert curp.agrees_with(value, "Pedraza", "Domínguez", "Ana", born, "H") == (
        "curp_no_coincide_nombre",
    )


def test_agrees_with_ignores_what_the_curp_cannot_tell() -> None:
    # Impossible date inside the CURP, sex X: nothing to compare.
    assert curp.agrees_with("BOXW311320XNERXN09", "Bort", None, "Wendy", BORN, "H") == ()
    # Not a CURP at all: no agreement flags (validate already says curp_formato).
    assert curp.agrees_with("XYZ", "Bautista", "Ortiz", "Ana", BORN, "H") == ()
    assert curp.agrees_with(curp.validate(None), "Bautista", "Ortiz", "Ana", BORN, "H") == ()


def test_agrees_with_a_typo_in_the_check_digit_still_compares() -> None:
    mistyped = GUADALUPE[:-1] + "8"
    assert curp.validate(mistyped).flags == ("curp_check_digit",)
    assert curp.agrees_with(mistyped, "Bautista", "Ortiz", "Guadalupe", BORN, "H") == (
        "curp_no_coincide_sexo",
    )
