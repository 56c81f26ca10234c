"""CURP (Clave Única de Registro de Población): validation, check digit and construction.

Rules from RENAPO's instructive as summarised in ``docs/`` (see ``../shared/DOMAIN.md``): 18
characters; surname and given-name letters, birth date, sex, state of birth, internal
consonants, a homonym differentiator and a check digit over a 37-symbol alphabet that includes Ñ.
A CURP failing its check digit is a typo of a real CURP, not another person: it is flagged, kept.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
"""Check-digit alphabet: the Ñ slot must exist or the values of O–Z shift by one."""

_VALUE = {c: i for i, c in enumerate(ALPHABET)}

CURP_STATE_BY_INEGI: dict[str, str] = {
    "01": "AS", "02": "BC", "03": "BS", "04": "CC", "05": "CL", "06": "CM", "07": "CS",
    "08": "CH", "09": "DF", "10": "DG", "11": "GT", "12": "GR", "13": "HG", "14": "JC",
    "15": "MC", "16": "MN", "17": "MS", "18": "NT", "19": "NL", "20": "OC", "21": "PL",
    "22": "QT", "23": "QR", "24": "SP", "25": "SL", "26": "SR", "27": "TC", "28": "TS",
    "29": "TL", "30": "VZ", "31": "YN", "32": "ZS",
}  # fmt: skip
"""INEGI state key → the two letters of positions 12–13."""

STATE_CODES = frozenset(CURP_STATE_BY_INEGI.values()) | {"NE"}
"""Valid positions 12–13; ``NE`` is born abroad."""

FLAGS = ("curp_formato", "curp_fecha", "curp_estado", "curp_check_digit")
"""``curp_formato``: not 18 characters of the CURP's shape (nothing else is then parsed);
``curp_fecha``: the date does not exist; ``curp_estado``: unknown state code;
``curp_check_digit``: the check digit does not match (a typo)."""

_SHAPE = re.compile(r"^[A-Z]{4}[0-9]{6}[HMX][A-Z]{2}[A-Z]{3}[0-9A-Z][0-9]$")
_SPACES = re.compile(r"\s+")

PARTICLES = frozenset((
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS",
    "LE", "LES", "MAC", "MC", "VAN", "VON", "Y",
))  # fmt: skip
"""Words skipped when building a CURP (and when comparing surnames)."""

_COMMON_FIRST_NAMES = frozenset({"MARIA", "MA", "JOSE", "J"})

INCONVENIENT = frozenset((
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
))  # fmt: skip
"""RENAPO's list of offensive first four letters; their second letter becomes X."""

_VOWELS = frozenset("AEIOU")


@dataclass(frozen=True)
class CurpResult:
    """A validated CURP: normalised value, flags and what it encodes."""

    value: str | None
    flags: tuple[str, ...]
    birth_date: dt.date | None = None
    sex: str | None = None
    state: str | None = None

    @property
    def usable(self) -> bool:
        """Whether it has the CURP's shape (so it can identify a person, maybe with a typo)."""
        return self.value is not None and "curp_formato" not in self.flags


def check_digit(first17: str) -> str:
    """RENAPO check digit of the first 17 characters (``BOXW310820HNERXN0`` → ``9``)."""
    total = sum(_VALUE.get(c, 0) * (18 - i) for i, c in enumerate(first17[:17]))
    return str((10 - total % 10) % 10)


@lru_cache(maxsize=65_536)
def validate(raw: str | None) -> CurpResult:
    """Normalise (upper case, no spaces) and check a CURP; see :data:`FLAGS`."""
    if raw is None:
        return CurpResult(None, ("curp_formato",))
    value = _SPACES.sub("", raw).upper()
    if not value:
        return CurpResult(None, ("curp_formato",))
    if not _SHAPE.match(value):
        return CurpResult(value, ("curp_formato",))
    flags = []
    birth = _birth_date(value)
    if birth is None:
        flags.append("curp_fecha")
    state = value[11:13]
    if state not in STATE_CODES:
        flags.append("curp_estado")
    if check_digit(value) != value[17]:
        flags.append("curp_check_digit")
    return CurpResult(value, tuple(flags), birth, value[10], state)


def build(
    primer_ap: str | None,
    segundo_ap: str | None,
    nombre: str,
    birth_date: dt.date,
    sex: str,
    state: str,
    homoclave: str | None = None,
) -> str:
    """The CURP a person with these data receives (``state``: INEGI key, CURP code or ``NE``)."""
    code = CURP_STATE_BY_INEGI.get(state.zfill(2) if state.isdigit() else "", state.upper())
    if code not in STATE_CODES:
        raise ValueError(f"Entidad de nacimiento desconocida: {state!r}")
    if sex not in {"H", "M", "X"}:
        raise ValueError(f"Sexo no válido para la CURP: {sex!r} (H, M o X)")
    first17 = _letters(primer_ap or "", segundo_ap or "", nombre) + (
        homoclave or ("0" if birth_date.year < 2000 else "A")
    )
    first17 = first17[:4] + birth_date.strftime("%y%m%d") + sex + code + first17[4:]
    return first17 + check_digit(first17)


def agrees_with(
    result: CurpResult | str,
    primer_ap: str | None,
    segundo_ap: str | None,
    nombre: str | None,
    birth_date: dt.date | None,
    sex: str | None,
) -> tuple[str, ...]:
    """Flags where a usable CURP disagrees with the record's own name, birth date or sex."""
    checked = validate(result) if isinstance(result, str) else result
    if not checked.usable or checked.value is None:
        return ()
    value = checked.value
    flags = []
    if primer_ap and nombre:
        letters = _letters(primer_ap, segundo_ap or "", nombre)
        mine = value[:4] + value[13:16]
        expected = letters[:4] + letters[4:7]
        if segundo_ap is None:  # unknown second surname: do not judge its letters
            mine, expected = mine[:2] + mine[3:6], expected[:2] + expected[3:6]
        if mine != expected:
            flags.append("curp_no_coincide_nombre")
    if birth_date and checked.birth_date and birth_date != checked.birth_date:
        flags.append("curp_no_coincide_fecha")
    if sex and checked.sex in {"H", "M"} and sex != checked.sex:
        flags.append("curp_no_coincide_sexo")
    return tuple(flags)


def _birth_date(value: str) -> dt.date | None:
    century = 1900 if value[16].isdigit() else 2000
    try:
        return dt.date(century + int(value[4:6]), int(value[6:8]), int(value[8:10]))
    except ValueError:
        return None


@lru_cache(maxsize=65_536)
def _letters(primer_ap: str, segundo_ap: str, nombre: str) -> str:
    """Letters of positions 1–4 and 14–16 as one 7-character string."""
    first = _core_words(primer_ap)
    second = _core_words(segundo_ap)
    given = _core_words(nombre)
    if len(given) > 1 and given[0] in _COMMON_FIRST_NAMES:
        given = given[1:]
    first_word = first[0] if first else ""
    second_word = second[0] if second else ""
    given_word = given[0] if given else ""
    if not first_word:  # no first surname: RENAPO uses the second one in its place
        first_word, second_word = second_word, ""
    head = (
        (first_word[:1] or "X")
        + _first_internal(first_word, vowel=True)
        + (second_word[:1] or "X")
        + (given_word[:1] or "X")
    )
    if head in INCONVENIENT:
        head = head[0] + "X" + head[2:]
    return (
        head
        + _first_internal(first_word, vowel=False)
        + _first_internal(second_word, vowel=False)
        + _first_internal(given_word, vowel=False)
    )


def _first_internal(word: str, *, vowel: bool) -> str:
    for char in word[1:]:
        if (char in _VOWELS) == vowel and char.isalpha():
            return char
    return "X"


@lru_cache(maxsize=65_536)
def _core_words(text: str) -> tuple[str, ...]:
    """Upper-case words without accents (Ñ becomes X), punctuation or particles."""
    letters = []
    for char in text.upper():
        if char == "Ñ":
            letters.append("X")
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        letters.append(base if "A" <= base <= "Z" else " " if base.isspace() else "")
    words = "".join(letters).split()
    # "MA." and "J." abbreviate MARIA/JOSE: the dot was removed above.
    return tuple(w for w in words if w not in PARTICLES)
