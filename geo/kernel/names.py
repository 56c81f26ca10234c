"""Mexican names in a comparable form, for matching people across rosters.

Names are never changed where stored: these functions return a new matching form. Rules
(``../shared/DOMAIN.md``): accents and Ñ vary (Ñ written N, ``#`` or mangled by encodings);
``MA.``/``J.`` abbreviate MARIA/JOSE; particles (DE LA, DEL...) come and go; rosters sometimes add
a husband's surname after ``DE`` or ``VDA. DE``. Every function is cached (bounded): names repeat
across millions of rows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geo.kernel.curp import PARTICLES

_CACHE = 262_144

_MANGLED_PAIR = re.compile("[ÂÃ].")
"""UTF-8 read as CP1252 or Latin-1 turns each accented letter into two characters, the first
``Â`` or ``Ã`` (``Ñ`` → ``Ã‘`` or ``Ã\\x91``, ``É`` → ``Ã‰``)."""

_MANGLED_N = {"Ã'": "Ñ"}
"""``Ã‘`` after its curly quote was straightened: no longer decodable, still an Ñ."""

_STANDINS = str.maketrans({"#": "Ñ", "¥": "Ñ", "¤": "Ñ"} | dict.fromkeys("'’´`", None))
"""Ñ as some systems store it (``#``, and DOS code page 850's Ñ/ñ bytes read as Latin-1) and
apostrophes or stray accents, which join their word (``O'HIGGINS``, ``GARCI´A``)."""

_NOT_LETTER = re.compile(r"[^A-Z]+")

GIVEN_ABBREVIATIONS = {"MA": "MARIA", "J": "JOSE", "FCO": "FRANCISCO", "GPE": "GUADALUPE"}
"""Given-name abbreviations spelled out (the dot is gone by then): ``MA.``, ``J.``, ``FCO.``,
``GPE.``."""

_LEADING_COMMON = frozenset({"MARIA", "JOSE"})
_WIDOW = frozenset({"VDA", "VIUDA"})


@lru_cache(maxsize=_CACHE)
def normalize(text: str) -> str:
    """Matching form: upper case, mangled Ñ repaired, accents dropped (Ñ → N), letters only.

    Apostrophes join their word; any other character that is not a letter separates words;
    whitespace is collapsed. Particles and abbreviations are kept as written.
    """
    if "Ã" in text or "Â" in text:
        text = _MANGLED_PAIR.sub(_repair_pair, text)
    upper = text.translate(_STANDINS).upper()
    if not upper.isascii():  # most names are plain ASCII already
        upper = "".join(
            c for c in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(c)
        )
    return " ".join(_NOT_LETTER.sub(" ", upper).split())


def normalize_surname(text: str) -> str:
    """Matching form of a surname: :func:`normalize`, particles kept (``DE LA CRUZ``)."""
    return normalize(text)


@lru_cache(maxsize=_CACHE)
def normalize_given(text: str) -> str:
    """Matching form of given names: :func:`normalize`, :data:`GIVEN_ABBREVIATIONS` spelled out."""
    return " ".join(GIVEN_ABBREVIATIONS.get(word, word) for word in normalize(text).split())


@lru_cache(maxsize=_CACHE)
def surname_core(text: str) -> str:
    """The distinctive part of a surname: no particles, no married-name addition.

    ``DE LA CRUZ`` → ``CRUZ``. A husband's surname is dropped: everything from ``VDA``/``VIUDA``
    on (``LOPEZ VDA. DE GARCIA`` → ``LOPEZ``), and a final ``DE <one word>`` after a real word
    (``LOPEZ DE GARCIA`` → ``LOPEZ``). Compound surnames of that shape lose their tail too
    (``PONCE DE LEON`` → ``PONCE``); both records reduce alike, so matching is unaffected.
    """
    words = normalize(text).split()
    for i, word in enumerate(words):
        if word in _WIDOW and i > 0:
            words = words[:i]
            break
    if (
        len(words) >= 3
        and words[-2] == "DE"
        and words[-1] not in PARTICLES
        and any(w not in PARTICLES for w in words[:-2])
    ):
        words = words[:-2]
    return " ".join(w for w in words if w not in PARTICLES)


@lru_cache(maxsize=_CACHE)
def given_names_core(text: str) -> str:
    """Given names without particles and without a leading MARIA/JOSE another name follows.

    ``MA. GUADALUPE`` → ``GUADALUPE``, ``MARIA DE LOS ANGELES`` → ``ANGELES``, ``MARIA`` stays:
    the name the CURP's fourth letter is taken from.
    """
    words = normalize_given(text).split()
    core = [w for w in words if w not in PARTICLES] or words
    if len(core) > 1 and core[0] in _LEADING_COMMON:
        core = core[1:]
    return " ".join(core)


def _repair_pair(match: re.Match[str]) -> str:
    pair = match.group()
    for codec in ("cp1252", "latin-1"):
        try:
            return pair.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return _MANGLED_N.get(pair, pair)
