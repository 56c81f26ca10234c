"""Mexican names in a comparable form, for matching people across rosters.

Names are never changed where stored: these functions return the matching form. Rules
(``../shared/DOMAIN.md``): accents and Ñ vary (Ñ written N, NI, ``#`` or mangled by encodings);
``MA.``/``J.`` abbreviate MARIA/JOSE; particles (DE LA, DEL...) come and go; rosters sometimes
add a husband's surname after ``DE``/``VDA. DE``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geo.curp import PARTICLES

_MOJIBAKE = (("Ã‘", "N"), ("Ã±", "N"), ("Ã'", "N"), ("Ã\x91", "N"), ("Ã\xb1", "N"), ("#", "N"))
"""Ñ as UTF-8 read as Latin-1/CP1252, and the ``#`` some systems store instead."""

_NOT_LETTER = re.compile(r"[^A-Z ]+")
_ABBREVIATIONS = {
    "MA": "MARIA",
    "J": "JOSE",
    "JA": "JOSEFA",
    "FCO": "FRANCISCO",
    "GPE": "GUADALUPE",
}
_LEADING_COMMON = frozenset({"MARIA", "JOSE"})
_MARRIED = frozenset({"DE", "VDA", "VIUDA"})


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Upper case, accents and Ñ folded to plain letters, punctuation dropped, spaces collapsed."""
    upper = text.upper()
    for mangled, letter in _MOJIBAKE:
        upper = upper.replace(mangled, letter)
    plain = "".join(c for c in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(c))
    return " ".join(_NOT_LETTER.sub(" ", plain).split())


@lru_cache(maxsize=262_144)
def normalize_surname(text: str) -> str:
    """Matching form of a surname: :func:`fold`, particles kept ("DE LA CRUZ")."""
    return fold(text)


@lru_cache(maxsize=262_144)
def normalize_given(text: str) -> str:
    """Matching form of given names: :func:`fold` with MA./J./FCO./GPE. spelled out."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in fold(text).split())


@lru_cache(maxsize=262_144)
def surname_core(text: str) -> str:
    """The distinctive part of a surname: no particles, no married-name addition.

    ``"DE LA CRUZ"`` → ``"CRUZ"``; ``"LOPEZ DE GARCIA"`` and ``"LOPEZ VDA. DE GARCIA"`` →
    ``"LOPEZ"`` (a ``DE``/``VDA`` after the first real word starts the husband's surname).
    """
    words = fold(text).split()
    core: list[str] = []
    for word in words:
        if core and word in _MARRIED:
            break
        if word not in PARTICLES:
            core.append(word)
    return " ".join(core)


@lru_cache(maxsize=262_144)
def given_names_core(text: str) -> str:
    """Given names without a leading MARIA/JOSE when another name follows ("MA. GUADALUPE" →
    "GUADALUPE"), the way the CURP picks its letter."""
    words = normalize_given(text).split()
    while len(words) > 1 and words[0] in _LEADING_COMMON:
        words = words[1:]
    return " ".join(w for w in words if w not in PARTICLES) or " ".join(words)
