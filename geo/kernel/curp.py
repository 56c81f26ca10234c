"""CURP (Clave Única de Registro de Población): validation, check digit and construction.

Rules from RENAPO's instructive as summarised in ``../shared/DOMAIN.md``: 18 characters made of
surname and given-name letters, birth date, sex, state of birth, internal consonants, a homonym
differentiator and a check digit over a 37-symbol alphabet that includes Ñ. A CURP failing its
check digit is a typo of a real CURP, not another person: it is flagged, not discarded.

Flags of :func:`validate` (:data:`FLAGS`) describe the CURP itself; flags of :func:`agrees_with`
(:data:`AGREEMENT_FLAGS`) describe a usable CURP that contradicts the record carrying it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import getitem
from string import ascii_uppercase, digits

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
"""Check-digit alphabet: the Ñ slot must exist or the values of O–Z shift by one."""

CURP_STATE_BY_INEGI: dict[str, str] = {
    "01": "AS", "02": "BC", "03": "BS", "04": "CC", "05": "CL", "06": "CM", "07": "CS",
    "08": "CH", "09": "DF", "10": "DG", "11": "GT", "12": "GR", "13": "HG", "14": "JC",
    "15": "MC", "16": "MN", "17": "MS", "18": "NT", "19": "NL", "20": "OC", "21": "PL",
    "22": "QT", "23": "QR", "24": "SP", "25": "SL", "26": "SR", "27": "TC", "28": "TS",
    "29": "TL", "30": "VZ", "31": "YN", "32": "ZS",
}  # fmt: skip
"""INEGI state key → the two letters of positions 12–13."""

INEGI_BY_CURP_STATE: dict[str, str] = {code: key for key, code in CURP_STATE_BY_INEGI.items()}
"""CURP state letters → INEGI state key (``NE``, born abroad, has none)."""

STATE_CODES = frozenset(CURP_STATE_BY_INEGI.values()) | {"NE"}
"""Valid positions 12–13; ``NE`` is born abroad."""

FLAGS = ("curp_formato", "curp_fecha", "curp_estado", "curp_check_digit")
"""Flags of :func:`validate`, in the order they are reported.

``curp_formato``: empty, not 18 characters, or not the CURP's letter/digit pattern (nothing else
is then parsed); ``curp_fecha``: positions 5–10 are not a real date; ``curp_estado``: positions
12–13 are no state code; ``curp_check_digit``: position 18 does not match (a typo).
"""

AGREEMENT_FLAGS = ("curp_no_coincide_nombre", "curp_no_coincide_fecha", "curp_no_coincide_sexo")
"""Flags of :func:`agrees_with`: the CURP's letters, birth date or sex contradict the record."""

PARTICLES = frozenset((
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS",
    "LE", "LES", "MAC", "MC", "VAN", "VON", "Y",
))  # fmt: skip
"""Words skipped when building a CURP (and when comparing surnames)."""

COMMON_FIRST_NAMES = frozenset({"MARIA", "MA", "JOSE", "J"})
"""First given names skipped when a second one follows (``MA.`` and ``J.`` lose their dot)."""

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

_SHAPE = re.compile(r"[A-Z]{4}[0-9]{6}[HMX][A-Z]{5}[0-9A-Z][0-9]")
_VOWELS = frozenset("AEIOU")
# Only S mod 10 matters, so each position gets a table of value·weight mod 10.
_WEIGHTED = tuple({c: i * (18 - pos) % 10 for i, c in enumerate(ALPHABET)} for pos in range(17))
_WORD_SEPARATORS = frozenset(".,")


@dataclass(frozen=True, slots=True)
class CurpResult:
    """A validated CURP: normalised value, flags (see :data:`FLAGS`) and what it encodes."""

    value: str | None
    flags: tuple[str, ...]
    birth_date: dt.date | None = None
    sex: str | None = None
    state: str | None = None

    @property
    def usable(self) -> bool:
        """Whether it has the CURP's shape (so it identifies a person, maybe with a typo)."""
        return self.value is not None and "curp_formato" not in self.flags


_EMPTY = CurpResult(None, ("curp_formato",))


def check_digit(first17: str) -> str:
    """RENAPO check digit of 17 characters of :data:`ALPHABET` (``BOXW310820HNERXN0`` → ``9``)."""
    if len(first17) != 17:
        raise ValueError(f"Se esperaban 17 caracteres para el dígito verificador: {first17!r}")
    try:
        total = sum(map(getitem, _WEIGHTED, first17))
    except KeyError as error:
        raise ValueError(f"Carácter fuera del alfabeto de la CURP: {error.args[0]!r}") from None
    return digits[-total % 10]


def validate(raw: str | None) -> CurpResult:
    """Normalise (strip, upper case, no inner spaces) and check a CURP; see :data:`FLAGS`."""
    if raw is None:
        return _EMPTY
    value = "".join(raw.split()).upper()
    if not value:
        return _EMPTY
    if len(value) != 18 or not _SHAPE.fullmatch(value):
        return CurpResult(value, ("curp_formato",))
    birth = _birth_date(value[4:10], value[16] <= "9")
    state = value[11:13]
    flags: tuple[str, ...] = ()
    if birth is None:
        flags += ("curp_fecha",)
    if state not in STATE_CODES:
        flags += ("curp_estado",)
    if digits[-sum(map(getitem, _WEIGHTED, value[:17])) % 10] != value[17]:
        flags += ("curp_check_digit",)
    return CurpResult(value, flags, birth, value[10], state)


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
    code = state.upper()
    if code.isdigit():
        code = CURP_STATE_BY_INEGI.get(code.zfill(2), code)
    if code not in STATE_CODES:
        raise ValueError(f"Entidad de nacimiento desconocida: {state!r}")
    if sex not in {"H", "M", "X"}:
        raise ValueError(f"Sexo no válido para la CURP: {sex!r} (H, M o X)")
    year = birth_date.year
    if not 1900 <= year <= 2099:
        raise ValueError(f"La CURP solo representa nacimientos de 1900 a 2099: {birth_date}")
    if homoclave is None:
        homoclave = "0" if year < 2000 else "A"
    elif len(homoclave) != 1 or homoclave not in (digits if year < 2000 else ascii_uppercase):
        raise ValueError(
            f"Diferenciador {homoclave!r} no válido: un dígito hasta 1999, una letra desde 2000"
        )
    letters = _letters(primer_ap or "", segundo_ap or "", nombre)
    first17 = (
        f"{letters[:4]}{year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}"
        f"{sex}{code}{letters[4:]}{homoclave}"
    )
    return first17 + check_digit(first17)


def agrees_with(
    result: CurpResult | str,
    primer_ap: str | None,
    segundo_ap: str | None,
    nombre: str | None,
    birth_date: dt.date | None,
    sex: str | None,
) -> tuple[str, ...]:
    """Flags (:data:`AGREEMENT_FLAGS`) where a usable CURP contradicts its record.

    Only what the record states is compared: a missing name part, date or sex (or a CURP whose
    date is impossible or whose sex is ``X``) is not held against it. Without a first surname
    RENAPO moves the second one forward, so then only the given name's letters are compared.
    """
    checked = validate(result) if isinstance(result, str) else result
    if not checked.usable or checked.value is None:
        return ()
    value = checked.value
    flags: tuple[str, ...] = ()
    if not _letters_agree(value, primer_ap, segundo_ap, nombre):
        flags += ("curp_no_coincide_nombre",)
    if birth_date is not None and checked.birth_date and birth_date != checked.birth_date:
        flags += ("curp_no_coincide_fecha",)
    if sex in {"H", "M"} and checked.sex in {"H", "M"} and sex != checked.sex:
        flags += ("curp_no_coincide_sexo",)
    return flags


def _letters_agree(
    value: str, primer_ap: str | None, segundo_ap: str | None, nombre: str | None
) -> bool:
    """Whether positions 1–4 and 14–16 match the record's name parts that are present."""
    expected = _letters(primer_ap or "", segundo_ap or "", nombre or "")
    mine = value[:4] + value[13:16]
    # Positions (in the 7-letter string) that each name part decides.
    positions: list[int] = []
    if primer_ap and _core_words(primer_ap):
        positions += (0, 1, 4)
        if segundo_ap and _core_words(segundo_ap):
            positions += (2, 5)
    if nombre and _core_words(nombre):
        positions += (3, 6)
    if 1 in positions and mine[1] == "X" and mine[0] + expected[1] + mine[2:4] in INCONVENIENT:
        # The record's letters (with the CURP's other three) spell a word RENAPO replaces: the
        # X is the replacement, even if a missing name part kept ``expected`` from seeing it.
        positions.remove(1)
    return all(mine[i] == expected[i] for i in positions)


@lru_cache(maxsize=80_000)  # every day of both centuries fits: birth dates repeat
def _birth_date(yymmdd: str, nineteen_hundreds: bool) -> dt.date | None:
    """Positions 5–10; position 17 (a digit up to 1999, a letter from 2000) gives the century."""
    try:
        return dt.date(
            (1900 if nineteen_hundreds else 2000) + int(yymmdd[:2]),
            int(yymmdd[2:4]),
            int(yymmdd[4:]),
        )
    except ValueError:
        return None


@lru_cache(maxsize=131_072)
def _letters(primer_ap: str, segundo_ap: str, nombre: str) -> str:
    """Letters of positions 1–4 and 14–16 as one 7-character string."""
    first = _core_words(primer_ap)
    second = _core_words(segundo_ap)
    given = _core_words(nombre)
    if len(given) > 1 and given[0] in COMMON_FIRST_NAMES:
        given = given[1:]
    first_word = first[0] if first else ""
    second_word = second[0] if second else ""
    given_word = given[0] if given else ""
    if not first_word:  # a single surname goes first, whichever field it was written in
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
        if (char in _VOWELS) == vowel:
            return char
    return "X"


@lru_cache(maxsize=131_072)
def _core_words(text: str) -> tuple[str, ...]:
    """Upper-case words without accents or particles; Ñ and special characters become X.

    Dots and commas end a word (``MA.`` is ``MA``); any other character that is not a letter
    (``/``, ``-``, an apostrophe, a digit) is RENAPO's "special character": X where it is taken.
    """
    chars = []
    # NFC first so that a decomposed Ñ or accent (N + U+0303) is one character.
    for char in unicodedata.normalize("NFC", text.upper()):
        if char == "Ñ":
            chars.append("X")
        elif char.isspace() or char in _WORD_SEPARATORS:
            chars.append(" ")
        elif not unicodedata.combining(char):
            base = unicodedata.normalize("NFKD", char)[0]
            chars.append(base if "A" <= base <= "Z" else "X")
    return tuple(w for w in "".join(chars).split() if w not in PARTICLES)
