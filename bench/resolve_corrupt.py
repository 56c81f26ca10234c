"""A corruption model for evaluating resolution that is not ``padron synth``'s.

``padron synth`` damages rows in the ways the resolver was built against; measuring the resolver
on its own generator says little. This module follows the published approach of record-linkage
test-data generators instead — FEBRL (Christen 2005, "Probabilistic data generation for
deduplication and data linkage") and its successor GeCo (Tran, Vatsalan & Christen 2013,
"GeCo: an online personal data generator and corruptor"): each record of a person is corrupted
independently; a record gets a number of modifications, each applied to an attribute chosen by
weight, with a corruptor chosen by per-attribute weights — character edits (insertion, deletion,
substitution by a neighbouring key, transposition of adjacent letters), phonetic variants,
OCR-like confusions, missing values, values swapped between fields, truncation and abbreviation,
and changed date formats. Separately from modifications, whole fields are missing at
roster-level rates (a program that does not capture the CURP, a sex left blank).

The rates are set from ``../shared/DOMAIN.md`` and the generators' defaults, not from what the
resolver handles, and were **fixed before the resolver was changed** (``docs/resolution.md``):
do not tune them to the resolver. Two profiles: ``estandar`` and ``dificil`` (about a third of
records without CURP, more date and name errors, local homonyms: people with the same names,
birth date and sex in the same locality, with their own CURP).

The clean people are ``padron synth``'s population with every error rate at zero (real
localities, Mexican names, census ages, valid CURPs; a person listed in both rosters or twice in
one), so that only this model's corruptions are in the files.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import polars as pl

from geo.kernel import curp

# -- profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Rates of one kind of roster. Fractions of records unless said otherwise."""

    curp_missing: float
    """Records without a CURP (programs that do not capture it)."""
    sex_missing: float
    """Sex left blank (DOMAIN.md: "blank sex")."""
    keys_missing: float
    """``CVE_MUN``/``CVE_LOC`` empty, place names kept: the record is placed by name."""
    second_surname_missing: float
    """Second surname not captured (DOMAIN.md: "the second may be missing")."""
    date_format_changed: float
    """Birth date written month first (``mm/dd/yyyy``): read as day first, the day and month
    swap when both are 12 or less, and the date is unreadable otherwise."""
    modified: float
    """Records with at least one modification."""
    modifications: tuple[float, ...]
    """P(1, 2, 3... modifications) for a modified record."""
    local_homonyms: float
    """Fraction of persons given a homonym in their locality (same names, birth date and sex;
    their own CURP with the next homonym differentiator), listed in the same roster."""
    attribute_weights: dict[str, float] = field(default_factory=dict)


ATTRIBUTE_WEIGHTS = {
    "primer_ap": 0.22,
    "segundo_ap": 0.16,
    "nombre": 0.22,
    "fecha": 0.14,
    "curp": 0.12,
    "sexo": 0.03,
    "lugar": 0.07,
    "edo_nac": 0.04,
}
"""Which attribute a modification hits (GeCo: a distribution over attributes; names, being
typed by hand, carry most of it)."""

PROFILES = {
    "estandar": Profile(
        curp_missing=0.10,
        sex_missing=0.02,
        keys_missing=0.05,
        second_surname_missing=0.03,
        date_format_changed=0.01,
        modified=0.25,
        modifications=(0.70, 0.22, 0.08),
        local_homonyms=0.002,
        attribute_weights=ATTRIBUTE_WEIGHTS,
    ),
    "dificil": Profile(
        curp_missing=0.33,
        sex_missing=0.05,
        keys_missing=0.12,
        second_surname_missing=0.08,
        date_format_changed=0.03,
        modified=0.45,
        modifications=(0.50, 0.30, 0.20),
        local_homonyms=0.02,
        attribute_weights=ATTRIBUTE_WEIGHTS | {"fecha": 0.20, "nombre": 0.26},
    ),
}
"""The two kinds of roster evaluated. Fixed: see the module docstring."""

NAME_CORRUPTORS = {
    "teclado": 0.22,  # substitution by a neighbouring key
    "insercion": 0.10,
    "borrado": 0.15,
    "transposicion": 0.15,  # two adjacent letters swapped
    "fonetica": 0.15,  # a Spanish spelling variant (B/V, S/Z/C, Y/LL, H, J/G, X/J...)
    "ocr": 0.03,
    "truncado": 0.05,  # cut after a few letters, or an initial
    "faltante": 0.05,
    "intercambio": 0.05,  # swapped with the other surname, or with the given name
    "agregado": 0.05,  # "DE <husband's surname>", or a second given name dropped/added
}
"""Corruptors of a name field and their weights (GeCo's defaults, Spanish phonetics)."""

DATE_CORRUPTORS = {
    "digito": 0.35,  # one digit mistyped
    "transposicion": 0.15,  # two adjacent digits swapped
    "dia_mes": 0.15,  # day and month swapped
    "un_dia": 0.10,  # a day off
    "anio": 0.10,  # the year off by one or ten
    "faltante": 0.15,
}
CURP_CORRUPTORS = {
    "sustitucion": 0.45,  # a neighbouring key or an OCR confusion (O/0, I/1, S/5, B/8)
    "transposicion": 0.20,
    "borrado": 0.10,  # one character fewer: no longer a CURP
    "insercion": 0.05,
    "faltante": 0.20,
}

# -- character-level corruptors ----------------------------------------------------------------

_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKLÑ", "ZXCVBNM")
_KEY = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}


def _neighbours(char: str) -> str:
    if char not in _KEY:
        return ""
    r, i = _KEY[char]
    out = []
    for dr in (-1, 0, 1):
        row = r + dr
        if 0 <= row < len(_ROWS):
            for di in (-1, 0, 1) if dr == 0 else (0, 1) if dr < 0 else (-1, 0):
                j = i + di
                if (dr, di) != (0, 0) and 0 <= j < len(_ROWS[row]):
                    out.append(_ROWS[row][j])
    return "".join(out)


NEIGHBOURS = {c: _neighbours(c) for c in _KEY}
"""Keys next to each key on a Spanish QWERTY keyboard (same row, and the row above and below)."""

OCR = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B",
       "G": "6", "6": "G", "Z": "2", "2": "Z", "M": "N", "N": "M", "U": "V", "V": "U"}  # fmt: skip

PHONETIC = (
    ("V", "B"), ("B", "V"), ("Z", "S"), ("S", "Z"), ("CE", "SE"), ("CI", "SI"), ("SE", "CE"),
    ("LL", "Y"), ("Y", "LL"), ("Y", "I"), ("I", "Y"), ("GE", "JE"), ("GI", "JI"), ("JE", "GE"),
    ("X", "J"), ("QU", "K"), ("CA", "KA"), ("H", ""), ("Ñ", "NI"), ("RR", "R"), ("SS", "S"),
)  # fmt: skip
"""Spanish spelling variants (GeCo's phonetic corruptor with rules for Spanish)."""


def _letters(value: str) -> list[int]:
    return [i for i, c in enumerate(value) if c.isalpha()]


def keyboard(rng: random.Random, value: str) -> str:
    """One letter replaced by a neighbouring key."""
    places = [i for i in _letters(value) if NEIGHBOURS.get(value[i].upper())]
    if not places:
        return value
    i = rng.choice(places)
    return value[:i] + rng.choice(NEIGHBOURS[value[i].upper()]) + value[i + 1 :]


def insert(rng: random.Random, value: str) -> str:
    """A neighbouring key's letter typed next to one of the word's letters."""
    places = _letters(value)
    if not places:
        return value
    i = rng.choice(places)
    extra = (
        rng.choice(NEIGHBOURS.get(value[i].upper()) or value[i]) if rng.random() < 0.5 else value[i]
    )
    return value[: i + 1] + extra + value[i + 1 :]


def delete(rng: random.Random, value: str) -> str:
    """One letter dropped (not the first: a dropped initial is rare in typing)."""
    places = _letters(value)[1:]
    if not places:
        return value
    i = rng.choice(places)
    return value[:i] + value[i + 1 :]


def transpose(rng: random.Random, value: str) -> str:
    """Two adjacent letters swapped (BARRIOS → BARRISO)."""
    places = [i for i in range(len(value) - 1) if value[i].isalnum() and value[i + 1].isalnum()
              and value[i] != value[i + 1]]  # fmt: skip
    if not places:
        return value
    i = rng.choice(places)
    return value[:i] + value[i + 1] + value[i] + value[i + 2 :]


def phonetic(rng: random.Random, value: str) -> str:
    """One Spanish spelling variant, if any rule applies."""
    upper = value.upper()
    rules = [(a, b) for a, b in PHONETIC if a in upper[1:] or (a == "H" and upper.startswith("H"))]
    if not rules:
        return keyboard(rng, value)
    a, b = rng.choice(rules)
    starts = [i for i in range(len(upper)) if upper.startswith(a, i) and (i > 0 or a == "H")]
    i = rng.choice(starts)
    return upper[:i] + b + upper[i + len(a) :]


def ocr(rng: random.Random, value: str) -> str:
    """One character read as its look-alike."""
    places = [i for i, c in enumerate(value.upper()) if c in OCR]
    if not places:
        return keyboard(rng, value)
    i = rng.choice(places)
    return value[:i] + OCR[value[i].upper()] + value[i + 1 :]


# -- field corruptors --------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def corrupt_name(rng: random.Random, record: dict[str, str | None], column: str) -> str:
    """Apply one name corruptor to ``column`` (may touch another name field: swaps)."""
    value = record[column]
    kind = _pick(rng, NAME_CORRUPTORS)
    if not value:
        return kind
    simple = {"teclado": keyboard, "insercion": insert, "borrado": delete,
              "transposicion": transpose, "fonetica": phonetic, "ocr": ocr}  # fmt: skip
    if kind in simple:
        words = value.split(" ")
        w = rng.randrange(len(words))
        words[w] = simple[kind](rng, words[w])
        record[column] = " ".join(words)
    elif kind == "truncado":
        words = value.split(" ")
        if column == "NB_NOMBRE" and len(words) > 1:
            w = rng.randrange(len(words))
            words[w] = words[w][0] + "."  # JOSE L., M. GUADALUPE
        else:
            w = rng.randrange(len(words))
            words[w] = words[w][: max(1, rng.randint(3, 6))]
        record[column] = " ".join(words)
    elif kind == "faltante":
        record[column] = None
    elif kind == "intercambio":
        other = (
            "NB_NOMBRE"
            if rng.random() < 0.3
            else ("NB_SEGUNDO_AP" if column != "NB_SEGUNDO_AP" else "NB_PRIMER_AP")
        )
        if other == column:
            other = "NB_PRIMER_AP"
        record[column], record[other] = record[other], record[column]
    elif kind == "agregado":
        if column == "NB_NOMBRE":
            words = value.split(" ")
            if len(words) > 1:
                record[column] = rng.choice(words)  # MARIA GUADALUPE → GUADALUPE
            else:
                record[column] = rng.choice(("MARIA", "JOSE")) + " " + value
        else:
            husband = rng.choice(("GARCIA", "LOPEZ", "PEREZ", "CRUZ", "RUIZ", "REYES"))
            record[column] = f"{value} DE {husband}"
    return kind


def corrupt_date(rng: random.Random, value: str | None) -> tuple[str | None, str]:
    """One date corruptor on an ISO date; returns the new value and the corruptor's name."""
    kind = _pick(rng, DATE_CORRUPTORS)
    if value is None:
        return None, kind
    digits = value.replace("-", "")
    try:
        born = dt.date.fromisoformat(value)
    except ValueError:  # already unreadable after an earlier modification
        born = None
        kind = "digito" if kind in ("un_dia", "anio") else kind
    if kind == "faltante":
        return None, kind
    if kind == "digito":
        i = rng.randrange(2, 8)  # not the century
        digits = digits[:i] + rng.choice("0123456789".replace(digits[i], "")) + digits[i + 1 :]
    elif kind == "transposicion":
        i = rng.randrange(2, 7)
        digits = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    elif kind == "dia_mes":
        digits = digits[:4] + digits[6:8] + digits[4:6]
    elif kind == "un_dia" and born is not None:
        return (born + dt.timedelta(days=rng.choice((-1, 1)))).isoformat(), kind
    elif kind == "anio" and born is not None:
        shift = rng.choice((-10, -1, 1, 10))
        try:
            return born.replace(year=born.year + shift).isoformat(), kind
        except ValueError:
            return value, kind
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat(), kind
    except ValueError:
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}", kind  # unreadable: flagged by ingest


def corrupt_curp(rng: random.Random, value: str | None) -> tuple[str | None, str]:
    """One CURP corruptor."""
    kind = _pick(rng, CURP_CORRUPTORS)
    if not value:
        return value, kind
    if kind == "faltante":
        return None, kind
    if kind == "sustitucion":
        i = rng.randrange(18)
        c = value[i]
        options = (OCR.get(c, "") + NEIGHBOURS.get(c, "")).replace("Ñ", "")
        return value[:i] + (rng.choice(options) if options else "X") + value[i + 1 :], kind
    if kind == "transposicion":
        return transpose(rng, value), kind
    if kind == "borrado":
        i = rng.randrange(18)
        return value[:i] + value[i + 1 :], kind
    i = rng.randrange(18)
    return value[:i] + value[i] + value[i:], kind


# -- records -----------------------------------------------------------------------------------

CORRUPTED = ("NB_PRIMER_AP", "NB_SEGUNDO_AP", "NB_NOMBRE", "FH_NACIMIENTO", "CD_SEXO",
             "CD_EDO_NAC", "NB_CURP", "CVE_ENT", "CVE_MUN", "CVE_LOC", "NOM_LOC")  # fmt: skip
"""Columns of the clean roster this model may change."""


def corrupt(
    clean: pl.DataFrame,
    profile: Profile,
    seed: int,
    localities: dict[str, list[tuple[str, str]]],
) -> pl.DataFrame:
    """Corrupt every record of ``clean`` (PUB columns, ISO ``FH_NACIMIENTO``, H/M ``CD_SEXO``,
    plus ``persona``); returns the same columns plus ``errores`` (the corruptions applied, for
    the analysis of misses). ``localities``: municipality key → its (``CVE_LOC``, ``NOM_LOC``),
    for a record placed in another locality of its municipality."""
    rng = random.Random(seed)
    rows = clean.to_dicts()
    rows += _local_homonyms(rng, rows, profile.local_homonyms)
    out = []
    for record in rows:
        errors: list[str] = []
        _roster_level(rng, record, profile, errors)
        if rng.random() < profile.modified:
            count = rng.choices(range(1, len(profile.modifications) + 1), profile.modifications)[0]
            for _ in range(count):
                attribute = _pick(rng, profile.attribute_weights)
                errors.append(_modify(rng, record, attribute, localities))
        record["errores"] = ";".join(errors) or None
        out.append(record)
    return pl.DataFrame(out, schema=clean.schema | {"errores": pl.String}, orient="row")


def _roster_level(
    rng: random.Random, record: dict[str, object], profile: Profile, errors: list[str]
) -> None:
    if rng.random() < profile.curp_missing:
        record["NB_CURP"] = None
        errors.append("curp_faltante")
    if rng.random() < profile.sex_missing:
        record["CD_SEXO"] = None
        errors.append("sexo_faltante")
    if rng.random() < profile.keys_missing:
        record["CVE_ENT"] = record["CVE_MUN"] = record["CVE_LOC"] = None
        errors.append("claves_faltantes")
    if rng.random() < profile.second_surname_missing:
        record["NB_SEGUNDO_AP"] = None
        errors.append("segundo_ap_faltante")
    born = record["FH_NACIMIENTO"]
    if isinstance(born, str) and rng.random() < profile.date_format_changed:
        year, month, day = born.split("-")
        record["FH_NACIMIENTO"] = f"{month}/{day}/{year}"
        errors.append("fecha_formato_mdy")


def _modify(
    rng: random.Random,
    record: dict[str, object],
    attribute: str,
    localities: dict[str, list[tuple[str, str]]],
) -> str:
    if attribute in ("primer_ap", "segundo_ap", "nombre"):
        column = {"primer_ap": "NB_PRIMER_AP", "segundo_ap": "NB_SEGUNDO_AP",
                  "nombre": "NB_NOMBRE"}[attribute]  # fmt: skip
        return f"{attribute}_{corrupt_name(rng, record, column)}"  # type: ignore[arg-type]
    if attribute == "fecha":
        value = record["FH_NACIMIENTO"]
        if isinstance(value, str) and "/" in value:  # already month first: leave it
            return "fecha_sin_cambio"
        record["FH_NACIMIENTO"], kind = corrupt_date(rng, value)  # type: ignore[arg-type]
        return f"fecha_{kind}"
    if attribute == "curp":
        record["NB_CURP"], kind = corrupt_curp(rng, record["NB_CURP"])  # type: ignore[arg-type]
        return f"curp_{kind}"
    if attribute == "sexo":
        if record["CD_SEXO"] is None or rng.random() < 0.5:
            record["CD_SEXO"] = None
            return "sexo_faltante"
        record["CD_SEXO"] = "M" if record["CD_SEXO"] == "H" else "H"
        return "sexo_cambiado"
    if attribute == "edo_nac":
        if rng.random() < 0.5:
            record["CD_EDO_NAC"] = None
            return "edo_nac_faltante"
        record["CD_EDO_NAC"] = rng.choice(sorted(curp.STATE_CODES - {"NE"}))
        return "edo_nac_cambiado"
    # lugar: another locality of the same municipality (moved, or the seat written for all)
    options = localities.get(str(record["CVE_MUN"]), [])
    if not options or record["CVE_MUN"] is None:
        record["CVE_LOC"] = None
        return "localidad_faltante"
    record["CVE_LOC"], record["NOM_LOC"] = rng.choice(options)
    return "localidad_cambiada"


def _local_homonyms(
    rng: random.Random, rows: list[dict[str, object]], rate: float
) -> list[dict[str, object]]:
    """New persons with another person's names, birth date and sex in the same locality; their
    CURP differs in the homonym differentiator (RENAPO's position 17)."""
    people: dict[object, dict[str, object]] = {}
    for record in rows:
        people.setdefault(record["persona"], record)
    chosen = rng.sample(sorted(people, key=str), round(len(people) * rate))
    next_id = max(int(p) for p in people) + 1  # type: ignore[call-overload]
    out = []
    for n, person in enumerate(chosen):
        twin = dict(people[person])
        value = str(twin["NB_CURP"])
        born_1900s = value[16].isdigit()
        current = value[16]
        pool = "123456789" if born_1900s else "BCDEFGHIJ"
        homoclave = next(c for c in pool if c != current)
        first17 = value[:16] + homoclave
        twin["NB_CURP"] = first17 + curp.check_digit(first17)
        twin["persona"] = next_id + n
        twin["ID_REGISTRO"] = f"H{next_id + n:09d}"
        out.append(twin)
    return out
