"""Probabilistic matching of records without a usable CURP (Fellegi–Sunter), in Polars.

Why not Splink here: Splink (on DuckDB) is the reference and ``bench/resolve.py`` and
``bench/resolve_eval.py`` run it side by side on the same records; this module does the same
kind of scoring with what the CURP gives for free. Records with a valid CURP are labelled pairs
(same CURP = same person), so the m and u probabilities are *counted* on a sample of them
instead of estimated by EM, and only records without a person are compared (incremental, linear
in the new records times the block size).

Comparisons, each a few levels (``LEVELS``), fit how people mistype: edit distances count a
transposition of adjacent letters as one edit (optimal string alignment, the restricted
Damerau–Levenshtein distance: BARRIOS/BARRISO, ISABEL/IASBEL), and names of six letters or more
have a level two edits away or truncated. Names follow Mexican rules (``geo.kernel.names``):
surnames as a pair that may be swapped or lack the second one (its own level), particles and
married-name additions dropped; given names spelled out (MA. → MARIA), abbreviated to an initial,
and without a leading MARIA/JOSE; a one-letter difference that turns Francisco into Francisca
(O/A at the end) is a different name. A CURP that is not valid is compared by its parts (name
letters, birth date, sex, state, differentiator) and lends its birth date and sex to a record
that lacks them. Blocking (:func:`blocks`) does not need a birth date or sex.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from geo.kernel import names

LEVELS: dict[str, tuple[str, ...]] = {
    "curp": ("igual", "un_caracter", "partes", "distinta"),
    "apellidos": (
        "iguales", "invertidos", "falta_uno", "parecidos", "lejanos", "uno_igual", "distintos",
    ),
    "nombre": ("igual", "nucleo", "contenido", "parecido", "lejano", "distinto"),
    "fecha": ("igual", "parecida", "lejana", "distinta"),
    "sexo": ("igual", "distinto"),
    "edo_nac": ("igual", "distinto"),
    "lugar": ("localidad", "municipio", "codigo_postal", "otro_codigo_postal", "distinto"),
}  # fmt: skip
"""Comparison levels, most to least similar. A missing value on either side gives no level (no
evidence either way).

- ``curp`` (only when one of the two is not valid): equal; one edit apart (a typo, adjacent
  characters swapped); ``partes``: the same birth date, sex, state and differentiator with at
  most two of the seven name letters different (a CURP typed twice wrong, or built from a name
  variant); different.
- ``apellidos``: both equal; swapped; a second surname on one record only, the first equal;
  ``parecidos``: each within one edit (straight or swapped; or the one present, when a second
  is missing); ``lejanos``: each within two edits or one a truncation of the other; one of them
  equal; different.
- ``nombre``: equal; equal without a leading MARIA/JOSE; one's words contained in the other's,
  initials standing for words (JOSE L. ⊂ JOSE LUIS); within one edit; within two edits or
  truncated; different (FRANCISCO/FRANCISCA is always different).
- ``fecha``: equal; one edit apart on ``yyyymmdd`` (a digit, two adjacent digits swapped) or day
  and month swapped; two edits or less than a year apart; different.
- ``lugar``: same locality; same municipality (both placed); when either is not placed, the
  same postal code, or another one; different municipalities.
"""

SIMILAR_LENGTH = 6
"""Names at least this long may be two edits apart and still be ``lejanos``/``lejano``."""

TRUNCATED_LENGTH = 3
"""A name cut to its first letters (at least this many) is ``lejano`` to the whole name."""

CURP_M = {"igual": 0.10, "un_caracter": 0.80, "partes": 0.05, "distinta": 0.05}
CURP_U = {"igual": 1e-10, "un_caracter": 1e-9, "partes": 1e-8, "distinta": 1 - 1.1e-8}
"""P(level | same person) and P(level | different persons) for the CURP when one of the two is
not valid. Labelled pairs cannot count them (both of their CURPs are valid), so they are set by
hand: a CURP that fails its check digit is most often one mistyped character (RENAPO's check
digit exists to catch exactly that); ``partes`` keeps the date, sex, state and differentiator,
which two different people share only as homonyms, whose differentiators differ. u is for two
records taken at random (see :class:`Model`): two CURPs of different people one character
apart are homonyms whose check digits happen to agree, about one pair in a billion."""

MIN_LABELLED_MATCHES = 500
"""Fewer labelled matching pairs than this and :data:`DEFAULT_MODEL` is used instead."""

RANDOM_PAIRS = 500_000
"""Random pairs of labelled records on which u is counted (half of Splink's default ``max_pairs``:
at seed size a million took 12 s of the run)."""

LABELLED_SAMPLE = 300_000
"""Records with a valid CURP sampled (by CURP, so a person's records stay together) to count m
and u: enough for stable rates, small enough for the seed-size roster."""

LABELLED_PER_CURP = 50
"""Records of one CURP whose pairs count m (its first ones by row). A person appears a few
times (at most 4 at seed size); a CURP listed thousands of times is a placeholder or a repeated
row, whose pairs would swamp m and memory: 40,000 rows of one CURP made 800 M pairs, and the
process was killed at 21 GB."""


@dataclass(frozen=True)
class Model:
    """Prior match probability of two records taken at random and m/u per comparison level.

    ``u`` is counted on random pairs, not on blocked ones (as Splink does): a pair's weight then
    does not depend on which block found it. Counted among blocked pairs, where most share the
    birth date, a different birth date looked like weak evidence against a match and homonyms
    of one place born years apart were joined.
    """

    prior: float
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    pares_etiquetados: int = 0
    coincidencias_etiquetadas: int = 0
    por_registro: float = 0.0
    """Other records of the same person per record: the prior is this over the population."""

    def for_population(self, records: int) -> Model:
        """The same model with the prior of a registry of ``records`` records."""
        if self.por_registro <= 0 or records < 2:
            return self
        return replace(self, prior=min(0.5, self.por_registro / (records - 1)))

    def weights(self) -> dict[str, dict[str, float]]:
        """log2(m/u) for each level: the evidence it adds, in bits."""
        return {
            c: {lv: math.log2(self.m[c][lv] / self.u[c][lv]) for lv in levels}
            for c, levels in LEVELS.items()
        }

    def prior_bits(self) -> float:
        """The prior as log2 odds."""
        return math.log2(self.prior / (1 - self.prior))


@dataclass(frozen=True)
class Thresholds:
    """Decisions on the match probability of a pair."""

    match: float = 0.99
    """At or above: the same person, automatically. Chosen on ``padron synth --escala 0.05``:
    0.999 sent 576 pairs to review (mostly identical names and birth dates with the locality
    keys missing on one side) for no gain in precision; see ``docs/resolution.md``."""
    review: float = 0.5
    """At or above (and below ``match``): a human decides (review queue)."""
    margin_bits: float = 6.0
    """A record close to two persons joins the best one only if it is this many bits ahead."""

    @property
    def match_bits(self) -> float:
        """``match`` as log2 odds."""
        return math.log2(self.match / (1 - self.match))

    @property
    def review_bits(self) -> float:
        """``review`` as log2 odds."""
        return math.log2(self.review / (1 - self.review))


SEX_M = {"igual": 0.999, "distinto": 0.001}
"""P(sex level | same person), set by hand: rosters miscode sex now and then, which labelled
pairs of a clean registry would not show (a smoothed zero there made one wrong sex cost 15
bits). u is counted."""


def _default_model() -> Model:
    # Counted by ``estimate_model`` on ``padron synth --escala 0.05`` (seed 2016, 191,091
    # records; 29,286 labelled matching pairs, u on random pairs), rounded.
    m = {
        "curp": CURP_M,
        "apellidos": {
            "iguales": 0.87977,
            "invertidos": 0.022531,
            "falta_uno": 0.023419,
            "parecidos": 0.072918,
            "lejanos": 0.00037552,
            "uno_igual": 0.00095586,
            "distintos": 3.4138e-05,
        },
        "nombre": {
            "igual": 0.95818,
            "nucleo": 0.0020825,
            "contenido": 3.4139e-05,
            "parecido": 0.038441,
            "lejano": 0.00013656,
            "distinto": 0.0011266,
        },
        "fecha": {
            "igual": 0.9999,
            "parecida": 3.4141e-05,
            "lejana": 3.4141e-05,
            "distinta": 3.4141e-05,
        },
        "sexo": SEX_M,
        "edo_nac": {"igual": 0.99997, "distinto": 3.4144e-05},
        "lugar": {
            "localidad": 0.93701,
            "municipio": 3.414e-05,
            "codigo_postal": 0.034925,
            "otro_codigo_postal": 0.027995,
            "distinto": 3.414e-05,
        },
    }
    u = {
        "curp": CURP_U,
        "apellidos": {
            "iguales": 0.000178,
            "invertidos": 0.000144,
            "falta_uno": 0.000602,
            "parecidos": 5e-05,
            "lejanos": 0.00011,
            "uno_igual": 0.052002,
            "distintos": 0.94691,
        },
        "nombre": {
            "igual": 0.009638,
            "nucleo": 0.001396,
            "contenido": 0.010992,
            "parecido": 0.001586,
            "lejano": 0.001736,
            "distinto": 0.97465,
        },
        "fecha": {"igual": 4.2e-05, "parecida": 0.001118, "lejana": 0.03689, "distinta": 0.96195},
        "sexo": {"igual": 0.53039, "distinto": 0.46961},
        "edo_nac": {"igual": 0.90093, "distinto": 0.099075},
        "lugar": {
            "localidad": 0.008464,
            "municipio": 0.005298,
            "codigo_postal": 0.00021,
            "otro_codigo_postal": 0.061844,
            "distinto": 0.92418,
        },
    }
    return Model(prior=0.0, m=m, u=u, por_registro=0.3912).for_population(191_091)


DEFAULT_MODEL = _default_model()
"""Where expectation–maximisation starts without enough labelled records (a roster without
CURPs), and the model of a registry too small for it; its prior is for the registry it was
counted on (use :meth:`Model.for_population`)."""

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "persona_id": pl.Int64(),
    "curp": pl.String(),
    "curp_valida": pl.Boolean(),
    "primer_ap_norm": pl.String(),
    "segundo_ap_norm": pl.String(),
    "nombre_norm": pl.String(),
    "fecha_nacimiento": pl.Date(),
    "sexo": pl.String(),
    "edo_nac": pl.String(),
    "cve_mun": pl.String(),
    "cve_loc": pl.String(),
    "cp": pl.String(),
}
"""What matching reads of each record (``padron.registro`` columns; ``cve_mun``/``cve_loc`` as
geocoded, so a record without keys placed by its place names has them)."""


@dataclass(frozen=True)
class NameFrequencies:
    """How often each name occurs in the registry, for the term-frequency adjustment (as in
    Splink): the same given names and surnames say more about a rare name than a common one.

    Without it, ``u`` is the average over all names, and at 3.8 M records (about 100 people of
    each sex born each day) identical names and birth dates without a place scored 0.94 — below
    the match threshold — for names as rare as YADIRA TORRES CASTILLO: 14,000 records went to
    review and recall fell to 0.982.
    """

    nombres: pl.DataFrame
    """``sexo``, ``nombre_norm``, ``n``: records with those given names, by sex."""
    apellidos: pl.DataFrame
    """``apellido``, ``n``: occurrences of each surname, first or second."""

    @classmethod
    def of(cls, records: pl.DataFrame) -> NameFrequencies:
        """Counted over ``records`` as the registry holds them (before :func:`prepare`): over
        every record, the counts of ``geo.resolve.resolver.name_frequencies``, without the
        server's second pass over the registry."""
        given = (
            records.filter(pl.col("sexo").is_not_null() & pl.col("nombre_norm").is_not_null())
            .group_by("sexo", "nombre_norm")
            .agg(n=pl.len().cast(pl.Int64))
        )
        surnames = pl.concat([records["primer_ap_norm"], records["segundo_ap_norm"]]).drop_nulls()
        return cls(
            nombres=given,
            apellidos=surnames.rename("apellido").value_counts(name="n").cast({"n": pl.Int64}),
        )


TF_PSEUDOCOUNT = 1_000
"""Frequencies are shrunk towards the level's average ``u`` as if this many records had it:
with a few records the counts say little (a test registry of 20 records changes nothing)."""


def prepare(records: pl.DataFrame, frequencies: NameFrequencies | None = None) -> pl.DataFrame:
    """Add the matching forms: surname and given-name cores and the given names as written
    (``ap1_c``, ``ap2_c``, ``nucleo_c``, ``nom_c``), block keys, and with ``frequencies`` each
    record's name frequencies (``p_nombre``, ``p_apellidos``, with the totals they are shares
    of).

    A record without a birth date or sex takes them from its own CURP when it has one of the
    CURP's shape (valid or not): the CURP's parts stand for the missing fields. The names are
    codes of one Enum, the registry's sorted names, shared by surnames and given names (so
    swapped surnames, or a given name written as a surname, compare equal): blocks join on the
    codes, comparisons gather them for millions of pairs and spell out only the distinct pairs
    (:func:`_distinct_pairs`); cores are computed once per distinct name.
    """
    records = _fields_from_curp(records)
    if frequencies is not None:
        records = _with_frequencies(records, frequencies)
    cores = {
        "ap1_c": _core(records["primer_ap_norm"], names.surname_core),
        "ap2_c": _core(records["segundo_ap_norm"], names.surname_core),
        "nom_c": records["nombre_norm"],
        "nucleo_c": _core(records["nombre_norm"], names.given_names_core),
    }
    vocabulary = pl.Enum(pl.concat(list(cores.values())).drop_nulls().unique().sort())
    return records.with_columns(
        *(values.cast(vocabulary).alias(name) for name, values in cores.items()),
        anio=pl.col("fecha_nacimiento").dt.year(),
        sitio=pl.coalesce(pl.col("cve_mun"), pl.lit("cp") + pl.col("cp")),
    ).with_row_index("i")


def _fields_from_curp(records: pl.DataFrame) -> pl.DataFrame:
    """``fecha_curp``: the birth date written in the record's own CURP (valid or not, when it
    has the CURP's shape and a real date); it fills a missing ``fecha_nacimiento``, and its sex
    a missing ``sexo``."""
    value = pl.col("curp")
    shaped = value.str.contains(r"^[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]$").fill_null(False)
    century = pl.when(value.str.slice(16, 1).str.contains("[0-9]")).then(pl.lit("19"))
    written = pl.concat_str(
        century.otherwise(pl.lit("20")), value.str.slice(4, 2), pl.lit("-"),
        value.str.slice(6, 2), pl.lit("-"), value.str.slice(8, 2),
    )  # fmt: skip
    return (
        records.with_columns(
            fecha_curp=pl.when(shaped).then(written.str.to_date("%Y-%m-%d", strict=False)),
            sexo_curp=pl.when(shaped).then(value.str.slice(10, 1)),
        )
        .with_columns(
            fecha_nacimiento=pl.coalesce("fecha_nacimiento", "fecha_curp"),
            sexo=pl.coalesce("sexo", "sexo_curp"),
        )
        .drop("sexo_curp")
    )


def _with_frequencies(records: pl.DataFrame, frequencies: NameFrequencies) -> pl.DataFrame:
    given = frequencies.nombres.with_columns(total=pl.col("n").sum().over("sexo"))
    surnames = frequencies.apellidos
    share = surnames.select("apellido", p=(pl.col("n") / pl.col("n").sum()).fill_nan(0.0))

    def surname_share(column: str) -> pl.Expr:
        return pl.col(column).replace_strict(
            share["apellido"], share["p"], default=None, return_dtype=pl.Float64
        )

    return (
        records.join(given, on=["sexo", "nombre_norm"], how="left", maintain_order="left")
        .with_columns(
            p_nombre=(pl.col("n") / pl.col("total")).fill_nan(0.0),
            n_nombres=pl.col("total").cast(pl.Float64),
            p_apellidos=surname_share("primer_ap_norm") * surname_share("segundo_ap_norm"),
            n_apellidos=pl.lit(float(surnames["n"].sum()) / 2),
        )
        .drop("n", "total")
    )


def _core(values: pl.Series, function: Callable[[str], str]) -> pl.Series:
    """``function`` of each value, an empty core as null: called once per distinct value (the
    frame holds most of a large registry; its names are a few thousand)."""
    distinct = values.drop_nulls().unique()
    cores = pl.Series([function(value) or None for value in distinct], dtype=pl.String)
    return values.replace_strict(distinct, cores, default=None)


NO_SURNAME = 2**32 - 1
"""Stands for a missing second surname in a block key (a null key matches nothing)."""

PREFIX_LENGTH = 3
"""Letters a mistyped name keeps from its start in blocking rule 7 (:func:`blocks`)."""

ONLY = "_solo"
"""A block frame's optional boolean column: the rule pairs only records of which at least one
has it true (a rule meant for records lacking some field must not pair everyone else)."""


def _day(frame: pl.DataFrame, **columns: str | pl.Expr) -> pl.DataFrame:
    """Birth date and sex with the other ``columns``. A record without sex is keyed under both
    (it is compared with men and women born that day); a record whose CURP gives another birth
    date than its own is keyed under both dates (one of the two is mistyped). Most records
    have one of each: only the others are exploded (exploding every record's lists took most of
    :func:`candidate_pairs`' time at seed size)."""
    one_date = pl.col("fecha_curp").is_null() | (pl.col("fecha_curp") == pl.col("fecha_nacimiento"))
    plain = pl.col("sexo").is_not_null() & one_date.fill_null(False)
    both = (
        pl.when(pl.col("sexo").is_null()).then(pl.lit(["H", "M"])).otherwise(pl.concat_list("sexo"))
    )
    dates = (
        pl.when(one_date)
        .then(pl.concat_list("fecha_nacimiento"))
        .otherwise(pl.concat_list("fecha_nacimiento", "fecha_curp"))
    )
    return pl.concat(
        [
            frame.filter(plain).select("i", fecha="fecha_nacimiento", sexo="sexo", **columns),
            frame.filter(~plain)
            .select("i", fecha=dates, sexo=both, **columns)
            .explode("fecha")
            .explode("sexo"),
        ]
    )


def blocks(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Blocking keys, one frame ``(i, key...)`` per rule: a pair is compared if it shares a key
    of one rule. A record may have several keys in a rule (either surname, either part of the
    CURP, either sex when it has none, both birth dates).

    1. Born the same day (the record's date or its CURP's), of the same sex (a record without
    sex: either), and sharing a name: a surname in either position (swapped or missing
    surnames) or the given names' core, in any field (a given name written as a surname).
    Blocking on (birth date, sex) alone compared everyone born that day: 29 M pairs and
    7.5 GB at 3.8 M records.
    2. Born the same day in the same municipality (or postal code): every name mistyped.
    3. Half of the CURP: its first or its last nine characters (a CURP one character away
    keeps one of them: the whole-name typo that only a CURP reveals), whatever the record's
    birth date or sex.
    4. Born the same year with the same first surname and given names as written (a mistyped
    birth date).
    5. Placed in the same municipality (or, unplaced, the same postal code) with the same
    surnames (in either order) and given names' core, whatever the birth date: a date mistyped
    beyond the year, or missing. (One surname in common instead made three times the pairs of
    rules 1–4 together.)
    6. Neither a birth date nor a place: the same surnames (in either order) and given names'
    core (only pairs with such a record).
    7. Placed in the same municipality (or postal code), with a first surname and given names
    that begin with the same :data:`PREFIX_LENGTH` letters (in either field) and a second
    surname with the same initial (or none), whatever the birth date: names mistyped after
    their first letters (GASKIN KIRRA/GASKNI KIRR), or written in each other's field, and the
    birth date mistyped or missing too. On the names as written, so that
    ``sql/load_for_matching.sql`` loads the same records; the initial keeps the blocks of
    MARIA and HERNANDEZ small (without it, twice the candidate pairs of rules 1–6).

    Of the pairs (birth date, sex) alone would add, a pair with no surname and no given-name
    core in common is scored as unlike names, never matched automatically (:func:`decide`).

    One rule's keys at a time: together they hold a dozen strings per record (at twice the seed
    size, gigabytes).
    """
    ap1, ap2, core = (pl.col(name).to_physical() for name in ("ap1_c", "ap2_c", "nucleo_c"))
    surnames = (  # both, in either order
        pl.min_horizontal(ap1, ap2).alias("ap_a"),
        pl.when(ap2.is_null())
        .then(NO_SURNAME)
        .otherwise(pl.max_horizontal(ap1, ap2))
        .alias("ap_b"),
    )
    nowhere = pl.col("fecha_nacimiento").is_null() & pl.col("sitio").is_null()
    named = _day(frame, ap1=ap1, ap2=ap2, core=core)
    yield pl.concat(
        named.select("i", "fecha", "sexo", clave=name) for name in ("ap1", "ap2", "core")
    )
    yield _day(frame, sitio="sitio").drop("sexo")
    yield pl.concat(
        frame.select("i", clave=half)
        for half in (pl.col("curp").str.slice(0, 9), pl.col("curp").str.slice(9))
    )
    yield frame.select("i", "anio", "primer_ap_norm", "nombre_norm")
    yield frame.select("i", "sitio", core, *surnames)
    yield frame.select("i", core, *surnames, **{ONLY: nowhere})
    yield frame.select("i", "sitio", *_name_starts())


def _name_starts() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Blocking rule 7's key after the place: the first letters of the first surname and of
    the given names, the smaller first (null if either is missing), and the second surname's
    initial (empty without one)."""
    a = pl.col("primer_ap_norm").str.slice(0, PREFIX_LENGTH)
    b = pl.col("nombre_norm").str.slice(0, PREFIX_LENGTH)
    return (
        pl.when(a <= b).then(a).when(a > b).then(b).alias("prefijo_a"),
        pl.when(a <= b).then(b).when(a > b).then(a).alias("prefijo_b"),
        pl.col("segundo_ap_norm").str.slice(0, 1).fill_null("").alias("inicial"),
    )


KEYED_ROWS = 1_000_000
"""Records whose blocking keys :func:`candidate_pairs` builds at a time."""

MAX_KEY_PAIRS = 25_000_000
"""Pairs one key of a rule may make (its pending records times its records: a block of 5,000
pending records); a key that would make more makes none, and its records are compared through
their other rules. At seed size the largest block holds 769 records; a key shared by thousands
is a placeholder (a default date or name), whose pairs grow as its square (40,000 rows would
make 800 M pairs: a process was killed at 21 GB). A repeated row does not count here: only
:data:`TWINS_COMPARED` of its copies are compared (:func:`twins`)."""

TWINS_COMPARED = 2
"""Identical pending records (:func:`twins`) compared as any others; further copies are decided
as the second. Two copies give every decision a copy can take (one person with the first, held
against it, apart from it), and a third meets the same pairs as the second. A roster listing
one row 5,000 times made 12.5 M pairs of copies, 47 s and 3.7 GB, and beyond 5,000 made none
(:data:`MAX_KEY_PAIRS`)."""

PAIR_BASE = 2**32
"""A pair of row numbers as one integer: ``i * PAIR_BASE + j``."""


def candidate_pairs(
    frame: pl.DataFrame,
    left: pl.Series,
    rules: Callable[[pl.DataFrame], Iterable[pl.DataFrame]] = blocks,
    right: pl.Series | None = None,
    keyed_rows: int = KEYED_ROWS,
) -> pl.DataFrame:
    """Pairs ``(i, j)``, ``i`` among the row numbers ``left``, sharing a key of one of the
    blocking ``rules``; ``j`` is any other record (or one of the row numbers ``right``), and a
    pair of two left records appears once (``i < j``).

    The left rows' keys are made first; the other records' keys are then made ``keyed_rows``
    records at a time and kept only where a left row has the same key, so that memory follows
    the left rows' blocks rather than the whole frame (which holds every record loaded beside a
    roster, most of a large registry: at twice the seed size, all the keys of rule 1 at once
    took 3 GB). A record's keys depend on the record alone, so the slices give the pairs the
    whole frame would (a test compares)."""
    is_left = frame["i"].is_in(left.implode())
    is_right = None if right is None else frame["i"].is_in(right.implode())
    lefts = [_usable(keyed) for keyed in rules(frame.filter(is_left))]
    wanted = [keyed.select(_key(keyed)).unique() for keyed in lefts]
    kept: list[list[pl.DataFrame]] = [[] for _ in lefts]
    for start in range(0, max(frame.height, 1), keyed_rows):
        rows = frame.slice(start, keyed_rows)
        if is_right is not None:  # sliced first: the right rows may be most of the frame
            rows = rows.filter(is_right.slice(start, keyed_rows))
        for rule, keyed in enumerate(rules(rows)):
            keyed = _usable(keyed)
            kept[rule].append(keyed.join(wanted[rule], on=_key(keyed), how="semi"))
    found = []
    for left_keys, parts in zip(lefts, kept, strict=True):
        key = _key(left_keys)
        keyed = pl.concat(parts)  # a key repeated in a rule repeats pairs, deduplicated below
        oversized = _oversized(left_keys, keyed, key)
        if not oversized.is_empty():
            keyed = keyed.join(oversized, on=key, how="anti")
            left_keys = left_keys.join(oversized, on=key, how="anti")
        only = pl.col("_only")
        for side, other in ((only, pl.lit(True)), (~only, only)):  # see ONLY
            pairs = (
                left_keys.lazy()
                .filter(side)
                .join(keyed.lazy().filter(other).select(*key, j="i"), on=key)
                .select("i", "j")
                .collect()
            )
            j_is_left = is_left.gather(pairs["j"])
            pairs = pairs.filter(
                (pairs["i"] != pairs["j"]) & (~j_is_left | (pairs["i"] < pairs["j"]))
            )
            found.append(pairs["i"].cast(pl.UInt64) * PAIR_BASE + pairs["j"])
    both = pl.concat(found).unique()  # one integer per pair: far less to deduplicate than rows
    return pl.DataFrame({"i": both // PAIR_BASE, "j": both % PAIR_BASE}).cast(pl.UInt32)


NOT_COMPARED = ("i", "id", "carga_id", "muestra", "persona_id", "sin_curp", "curp_nueva")
"""A frame's columns that say which record it is, not what it says: two records equal in every
other column are twins (:func:`twins`)."""


def twins(frame: pl.DataFrame, pending: pl.Series, apart: Collection[int] = ()) -> dict[int, int]:
    """Pending rows (of ``pending``, not of ``apart``) equal in everything matching reads to
    :data:`TWINS_COMPARED` earlier ones → the last of those, whose decision they take
    (:func:`decide`).

    Copies of one row meet the same blocks and score alike against every record, so comparing
    every copy with every other (their pairs grow as their square) decides nothing that a few
    copies do not. ``apart`` are rows a reviewer decided on: each keeps its own pairs."""
    compared = [c for c in frame.columns if c not in NOT_COMPARED]
    rows = frame.filter(pl.col("i").is_in(pending.implode()) & ~pl.col("i").is_in(list(apart)))
    copies = (
        rows.group_by(compared)
        .agg(pl.col("i").sort())
        .filter(pl.col("i").list.len() > TWINS_COMPARED)
        .select(
            seguida=pl.col("i").list.get(TWINS_COMPARED - 1),
            copia=pl.col("i").list.slice(TWINS_COMPARED),
        )
        .explode("copia")
    )
    return dict(zip(copies["copia"].to_list(), copies["seguida"].to_list(), strict=True))


def _oversized(left_keys: pl.DataFrame, keyed: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """The keys that would make more than :data:`MAX_KEY_PAIRS` pairs. Only a key with many
    pending records can (a pending record makes at most one pair with each record): the
    others' records are not counted, which at seed size would cost seconds."""
    pending = left_keys.group_by(key).agg(pendientes=pl.col("i").n_unique())
    suspects = pending.filter(pl.col("pendientes") * keyed.height > MAX_KEY_PAIRS)
    if suspects.is_empty():
        return suspects.select(key)
    records = (
        keyed.join(suspects, on=key, how="semi")
        .group_by(key)
        .agg(registros=pl.col("i").n_unique())
        .join(suspects, on=key)
    )
    return records.filter(pl.col("pendientes") * pl.col("registros") > MAX_KEY_PAIRS).select(key)


def _usable(keyed: pl.DataFrame) -> pl.DataFrame:
    """A rule's keys without nulls, with ``_only`` (:data:`ONLY`, true where the rule has none)."""
    only = keyed[ONLY] if ONLY in keyed.columns else pl.lit(True)
    keyed = keyed.drop(ONLY, strict=False)
    return keyed.with_columns(_only=only).drop_nulls(_key(keyed))


def _key(keyed: pl.DataFrame) -> list[str]:
    return [c for c in keyed.columns if c not in ("i", "_only")]


_COMPARED = [
    "curp", "curp_valida", "ap1_c", "ap2_c", "nom_c", "nucleo_c",
    "fecha_nacimiento", "sexo", "edo_nac", "cve_mun", "cve_loc", "cp",
]  # fmt: skip
_FREQUENCIES = ["p_nombre", "n_nombres", "p_apellidos", "n_apellidos"]


def compare(frame: pl.DataFrame, pairs: pl.DataFrame, labelled: bool = False) -> pl.DataFrame:
    """Comparison levels (index into ``LEVELS[name]``, null when a value is missing) per pair.

    Pairs of two different valid CURPs (homonyms) are dropped: they are never the same person.
    ``labelled`` keeps them (and gives no CURP level): the pairs that count m and u.
    """
    compared = frame.select(_COMPARED + [c for c in _FREQUENCIES if c in frame.columns])
    a = compared[pairs["i"]]
    b = compared[pairs["j"]]
    if not labelled:
        both_valid = a["curp_valida"] & b["curp_valida"]
        keep = ~(both_valid & (a["curp"] != b["curp"])).fill_null(False)
        pairs, a, b = pairs.filter(keep), a.filter(keep), b.filter(keep)
    if "p_nombre" in frame.columns:  # frequencies of the left record's names (see score)
        pairs = pairs.with_columns(a.select("p_nombre", "n_nombres", "p_apellidos", "n_apellidos"))
    b = _given_name_put_back(a, b)
    curp_level = (
        pl.repeat(None, len(a), dtype=pl.UInt8, eager=True)
        if labelled
        else _curp_level(a["curp"], b["curp"])
    )
    return pairs.with_columns(
        curp=curp_level,
        apellidos=_surname_level(a, b),
        nombre=_given_level(a, b),
        fecha=_date_level(a["fecha_nacimiento"], b["fecha_nacimiento"]),
        sexo=_equal_level(a["sexo"], b["sexo"]),
        edo_nac=_equal_level(a["edo_nac"], b["edo_nac"]),
        lugar=_place_level(a, b),
    )


def _given_name_put_back(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """``b`` with its first surname and given names exchanged where they were written in each
    other's field (the given name of one record within an edit of the other's first surname,
    and the other way round): compared as they should have been captured."""
    crossed = (
        (_closeness(a["ap1_c"], b["nucleo_c"]) <= 1)
        & (_closeness(a["nucleo_c"], b["ap1_c"]) <= 1)
        & (a["ap1_c"] != b["ap1_c"])
    ).fill_null(False)
    if not crossed.any():
        return b
    swap = {"ap1_c": "nucleo_c", "nucleo_c": "ap1_c", "nom_c": "ap1_c"}
    return b.with_columns(
        pl.when(crossed).then(pl.col(source)).otherwise(pl.col(target)).alias(target)
        for target, source in swap.items()
        if target in b.columns
    )


def _distinct_pairs(
    left: pl.Series, right: pl.Series, function: Callable[[list[str], list[str]], pl.Series]
) -> pl.Series:
    """``function`` of the names coded in ``left`` and ``right`` (one :func:`prepare` Enum),
    worked out once per distinct pair of codes and mapped back to every pair (null where either
    is missing): a slice of pairs holds a few ten thousand distinct pairs of names."""
    assert isinstance(left.dtype, pl.Enum)
    key = left.to_physical().cast(pl.UInt64) * PAIR_BASE + right.to_physical()
    distinct = key.drop_nulls().unique()
    spelled = left.dtype.categories
    values = function(
        spelled.gather(distinct // PAIR_BASE).to_list(),
        spelled.gather(distinct % PAIR_BASE).to_list(),
    )
    return key.replace_strict(distinct, values, default=None)


def _osa(a: list[str], b: list[str]) -> pl.Series:
    """Optimal string alignment distance (an adjacent transposition is one edit; rapidfuzz)."""
    distances = process.cpdist(a, b, scorer=OSA.distance, workers=-1)
    return pl.Series(distances, dtype=pl.Int32)


def _closeness(left: pl.Series, right: pl.Series) -> pl.Series:
    """0 equal, 1 one edit apart, 2 two edits apart (both at least :data:`SIMILAR_LENGTH`
    long, with the same initial: ALBERTO/ROBERTO are different names) or one cut from the
    other (at least :data:`TRUNCATED_LENGTH` letters), 3 otherwise; null when either is
    missing."""

    def level(a: list[str], b: list[str]) -> pl.Series:
        frame = pl.DataFrame({"a": a, "b": b}, schema={"a": pl.String, "b": pl.String})
        d = _osa(a, b)
        short = pl.min_horizontal(pl.col("a").str.len_chars(), pl.col("b").str.len_chars())
        same_initial = pl.col("a").str.slice(0, 1) == pl.col("b").str.slice(0, 1)
        truncated = (short >= TRUNCATED_LENGTH) & (
            pl.col("a").str.starts_with(pl.col("b")) | pl.col("b").str.starts_with(pl.col("a"))
        )
        return frame.with_columns(d=d).select(
            pl.when(pl.col("d") == 0).then(0)
            .when(pl.col("d") == 1).then(1)
            .when(((pl.col("d") == 2) & (short >= SIMILAR_LENGTH) & same_initial) | truncated)
            .then(2)
            .otherwise(3)
            .cast(pl.UInt8)
        ).to_series()  # fmt: skip

    return _distinct_pairs(left, right, level)


def _levels(conditions: list[pl.Series], missing: pl.Series) -> pl.Series:
    """The index of the first true condition (the last level if none); null where ``missing``."""
    level = pl.Series([len(conditions)] * len(missing), dtype=pl.UInt8)
    for index in reversed(range(len(conditions))):
        level = pl.select(
            pl.when(conditions[index].fill_null(False)).then(pl.lit(index, pl.UInt8))
            .otherwise(level)
        ).to_series()  # fmt: skip
    return level.set(missing, None)


def _curp_level(a: pl.Series, b: pl.Series) -> pl.Series:
    """Worked out where both CURPs are present (about a quarter of the pairs at seed size)."""
    pairs = len(a)
    where = (a.is_not_null() & b.is_not_null()).arg_true()
    a, b = a.gather(where), b.gather(where)
    d = _osa(a.to_list(), b.to_list())
    letters = pl.DataFrame(
        {"a": a.str.slice(0, 4) + a.str.slice(13, 3), "b": b.str.slice(0, 4) + b.str.slice(13, 3)}
    )
    different_letters = letters.select(
        pl.sum_horizontal(
            (pl.col("a").str.slice(k, 1) != pl.col("b").str.slice(k, 1)).cast(pl.UInt8)
            for k in range(7)
        )
    ).to_series()
    same_parts = (
        (a.str.slice(4, 9) == b.str.slice(4, 9))  # birth date, sex, state
        & (a.str.slice(16, 1) == b.str.slice(16, 1))  # homonym differentiator
        & (different_letters <= 2)
    )
    present = _levels([d == 0, d == 1, same_parts], pl.repeat(False, len(a), eager=True))
    return pl.repeat(None, pairs, dtype=pl.UInt8, eager=True).scatter(where, present)


def _surname_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    a1, a2, b1, b2 = a["ap1_c"], a["ap2_c"], b["ap1_c"], b["ap2_c"]
    c = pl.DataFrame(
        {
            "c11": _closeness(a1, b1),
            "c22": _closeness(a2, b2),
            "c12": _closeness(a1, b2),
            "c21": _closeness(a2, b1),
        }
    ).fill_null(3)
    worst, best = pl.max_horizontal, pl.min_horizontal
    both = a2.is_not_null() & b2.is_not_null()
    pair = c.select(best(worst("c11", "c22"), worst("c12", "c21"))).to_series()
    present = c.select(best("c11", "c12", "c21")).to_series()  # a second missing: the first
    one_equal = c.select(best("c11", "c22", "c12", "c21") == 0).to_series()
    return _levels(
        [
            both & (c["c11"] == 0) & (c["c22"] == 0),
            both & (c["c12"] == 0) & (c["c21"] == 0),
            ~both & (present == 0),
            (both & (pair == 1)) | (~both & (present == 1)),
            (both & (pair == 2)) | (~both & (present == 2)),
            both & one_equal,
        ],
        a1.is_null() | b1.is_null(),
    )


def _given_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    core_a, core_b = a["nucleo_c"], b["nucleo_c"]
    close = _closeness(core_a, core_b)
    gender = _distinct_pairs(core_a, core_b, _gender_pair).fill_null(False)
    return _levels(
        [
            _eq(a["nom_c"], b["nom_c"]),
            _eq(core_a, core_b),
            _distinct_pairs(a["nom_c"], b["nom_c"], _contained).fill_null(False),
            (close == 1) & ~gender,
            (close == 2) & ~gender,
        ],
        a["nom_c"].is_null() | b["nom_c"].is_null(),
    )


def _contained(a: list[str], b: list[str]) -> pl.Series:
    """Whether the words of one are among the other's, a one-letter word standing for any word
    with that initial (MARIA G ⊂ MARIA GUADALUPE, J LUIS ⊂ JOSE LUIS), when one has several
    words (one word each is equal or not: no containment to find). Hand-written: no library
    compares name words with initials."""

    def inside(short: list[str], long: list[str]) -> bool:
        rest = list(long)
        for word in short:
            found = next(
                (w for w in rest if w == word or (len(word) == 1 and w.startswith(word))), None
            )
            if found is None:
                return False
            rest.remove(found)
        return True

    out = []
    for x, y in zip(a, b, strict=True):
        wx, wy = x.split(), y.split()
        out.append((" " in x or " " in y) and (inside(wx, wy) or inside(wy, wx)))
    return pl.Series(out, dtype=pl.Boolean)


def _gender_pair(a: list[str], b: list[str]) -> pl.Series:
    """FRANCISCO/FRANCISCA, MARIO/MARIA: the same stem ending in O and A are different names."""
    x, y = pl.Series(a, dtype=pl.String), pl.Series(b, dtype=pl.String)
    same_stem = x.str.slice(0, x.str.len_chars() - 1) == y.str.slice(0, y.str.len_chars() - 1)
    return same_stem & (x.str.slice(-1) + y.str.slice(-1)).is_in(["OA", "AO"])


def _date_level(a: pl.Series, b: pl.Series) -> pl.Series:
    """Digits of ``yyyymmdd`` compared position by position (a number of eight digits: an
    edit is a changed digit), two adjacent digits swapped counting as one; worked out only for
    the pairs whose dates differ (most blocked pairs share theirs)."""
    different = (a != b).fill_null(False)
    one_edit = pl.Series([False] * len(a), dtype=pl.Boolean)
    changed = pl.Series([None] * len(a), dtype=pl.UInt8)
    if different.any():
        where = different.arg_true()
        dates = pl.DataFrame({"a": _yyyymmdd(a.gather(where)), "b": _yyyymmdd(b.gather(where))})
        a_digit, b_digit = ([(pl.col(c) // 10 ** (7 - k)) % 10 for k in range(8)] for c in "ab")
        differ = [a_digit[k] != b_digit[k] for k in range(8)]
        swapped = pl.any_horizontal(
            differ[k] & (a_digit[k] == b_digit[k + 1]) & (a_digit[k + 1] == b_digit[k])
            for k in range(7)
        )
        digits = dates.select(
            changed=pl.sum_horizontal(d.cast(pl.UInt8) for d in differ), swapped=swapped
        )
        changed = changed.scatter(where, digits["changed"])
        one_edit = one_edit.scatter(
            where, (digits["changed"] == 1) | ((digits["changed"] == 2) & digits["swapped"])
        )
    day_month = (
        (a.dt.year() == b.dt.year()) & (a.dt.month() == b.dt.day()) & (a.dt.day() == b.dt.month())
    )
    days = (a - b).dt.total_days().abs()
    return _levels(
        [a == b, one_edit | day_month, (changed == 2) | (days <= 365)],
        a.is_null() | b.is_null(),
    )


def _yyyymmdd(dates: pl.Series) -> pl.Series:
    """A date as the number whose digits :func:`_date_level` compares."""
    year, month, day = (
        part.cast(pl.Int32) for part in (dates.dt.year(), dates.dt.month(), dates.dt.day())
    )
    return year * 10_000 + month * 100 + day


def _equal_level(a: pl.Series, b: pl.Series) -> pl.Series:
    return _levels([a == b], a.is_null() | b.is_null())


def _place_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    placed = a["cve_mun"].is_not_null() & b["cve_mun"].is_not_null()
    same_mun = a["cve_mun"] == b["cve_mun"]
    same_cp = ~placed & (a["cp"] == b["cp"])
    return _levels(
        [same_mun & (a["cve_loc"] == b["cve_loc"]), same_mun, same_cp, ~placed],
        ~placed & (a["cp"].is_null() | b["cp"].is_null()),
    )


def _eq(a: pl.Series, b: pl.Series) -> pl.Series:
    return (a == b).fill_null(False)


_EXACT_NAME_LEVELS = (
    ("nombre", "igual", "p_nombre", "n_nombres"),
    ("apellidos", "iguales", "p_apellidos", "n_apellidos"),
    ("apellidos", "invertidos", "p_apellidos", "n_apellidos"),
)
"""Levels weighed by name frequency: (comparison, level, frequency column, its total)."""


def score(levels: pl.DataFrame, model: Model, detail: bool = False) -> pl.DataFrame:
    """Add ``peso``: log2 odds of the same person (prior plus each comparison's bits; exactly
    equal given names or surnames weighed by their frequency when :func:`compare` carried
    them, see :class:`NameFrequencies`), and
    ``nombres_distintos``: both surnames, or one of two, the same and given names that do not
    resemble at all (twins, siblings, cousins), and ``otro_apellido``: one surname equal and
    the other plainly different (both present), which :func:`decide` never matches
    automatically. ``detail`` keeps each comparison's bits as ``peso_<comparison>`` (for the
    review queue)."""
    weights = model.weights()
    terms = {
        name: pl.col(name).replace_strict(
            list(range(len(lv))), [weights[name][x] for x in lv], default=0.0,
            return_dtype=pl.Float64,
        ).fill_null(0.0)
        for name, lv in LEVELS.items()
    }  # fmt: skip
    if "p_nombre" in levels.columns:
        for name, level, share, total in _EXACT_NAME_LEVELS:
            u = model.u[name][level]
            shrunk = (pl.col(share) * pl.col(total) + TF_PSEUDOCOUNT * u) / (
                pl.col(total) + TF_PSEUDOCOUNT
            )
            adjusted = math.log2(model.m[name][level]) - shrunk.log(2)
            terms[name] = (
                pl.when((pl.col(name) == LEVELS[name].index(level)) & shrunk.is_not_null())
                .then(adjusted)
                .otherwise(terms[name])
            )
    family = pl.col("apellidos").is_in(
        [LEVELS["apellidos"].index(lv) for lv in ("iguales", "invertidos", "uno_igual")]
    )
    unlike_names = (pl.col("nombre") == LEVELS["nombre"].index("distinto")) & family
    kept = {f"peso_{name}": term for name, term in terms.items()} if detail else {}
    return levels.with_columns(
        peso=pl.sum_horizontal(list(terms.values())) + model.prior_bits(),
        nombres_distintos=unlike_names.fill_null(False),
        otro_apellido=(pl.col("apellidos") == LEVELS["apellidos"].index("uno_igual")).fill_null(
            False
        ),
        **kept,
    )


def explain(
    frame: pl.DataFrame, pairs: list[tuple[int, int]], model: Model
) -> dict[tuple[int, int], dict[str, object]]:
    """Why each pair (row numbers) scores what it does, for a reviewer: the prior, the total and
    each comparison's level and bits (``padron.revision.detalle``)."""
    if not pairs:
        return {}
    asked = pl.DataFrame(pairs, schema={"i": pl.UInt32, "j": pl.UInt32}, orient="row")
    scored = score(compare(frame, asked), model, detail=True)
    out: dict[tuple[int, int], dict[str, object]] = {}
    for row in scored.iter_rows(named=True):
        out[(row["i"], row["j"])] = {
            "peso_previo": round(model.prior_bits(), 2),
            "peso_total": round(row["peso"], 2),
            "comparaciones": {
                name: {
                    "nivel": None if row[name] is None else LEVELS[name][row[name]],
                    "peso": round(row[f"peso_{name}"], 2),
                }
                for name in LEVELS
            },
        }
    return out


def probability(bits: float) -> float:
    """Match probability from log2 odds."""
    return 1.0 if bits == math.inf else 1 / (1 + 2 ** (-bits))


def estimate_model(frame: pl.DataFrame, population: int | None = None) -> Model:
    """Count m and u on labelled records: those with a valid CURP, sampled by CURP.

    ``frame`` is the registry or a uniform sample of it (valid CURPs sampled whole, other
    records one by one: ``sql/muestra_modelo.sql``) of ``population`` records (default the
    frame's). m on every pair of sampled records sharing a CURP (sampling whole CURPs keeps all
    of a person's pairs), u on :data:`RANDOM_PAIRS` random pairs of sampled records with
    different CURPs; the prior is the other records of the same person per record over
    ``population``. The CURP comparison and the m of sex are set
    by hand (:data:`CURP_M`, :data:`SEX_M`): labelled pairs cannot count them. Fewer than
    :data:`MIN_LABELLED_MATCHES` labelled matching pairs: fitted without labels
    (:func:`_unlabelled`).
    """
    population = population or frame.height
    valid = frame.filter(pl.col("curp_valida")).drop("i")
    if valid.height < 2:
        return _unlabelled(frame, population)
    fraction = min(1.0, LABELLED_SAMPLE / valid.height)
    buckets = 1_000_000
    sampled = valid.filter(
        pl.col("curp").hash(seed=2016) % buckets < int(fraction * buckets)
    ).with_row_index("i")
    keyed = sampled.select("i", "curp").filter(
        pl.int_range(pl.len()).over("curp") < LABELLED_PER_CURP
    )
    same = (
        keyed.join(keyed, on="curp", suffix="_j")
        .filter(pl.col("i") < pl.col("i_j"))
        .select("i", j="i_j")
    )
    if same.height < MIN_LABELLED_MATCHES:
        return _unlabelled(frame, population)
    rng = np.random.default_rng(2016)
    drawn = pl.DataFrame(
        {
            "i": rng.integers(0, sampled.height, RANDOM_PAIRS),
            "j": rng.integers(0, sampled.height, RANDOM_PAIRS),
        },
        schema={"i": pl.UInt32, "j": pl.UInt32},
    )
    curps = sampled["curp"]
    drawn = drawn.filter(curps.gather(drawn["i"]) != curps.gather(drawn["j"]))
    if drawn.height < MIN_LABELLED_MATCHES:  # no other people to count u on
        return _unlabelled(frame, population)
    matching = compare(sampled, same, labelled=True)
    m: dict[str, dict[str, float]] = {"curp": dict(CURP_M), "sexo": dict(SEX_M)}
    for name, lv in LEVELS.items():
        if name not in m:
            m[name] = dict(zip(lv, _rates(matching[name], len(lv)).values(), strict=True))
    u = {"curp": dict(CURP_U)} | _random_rates(
        sampled, drawn, [name for name in LEVELS if name != "curp"]
    )
    per_record = 2 * same.height / sampled.height
    return Model(
        prior=0.0,
        m=m,
        u=u,
        pares_etiquetados=same.height + drawn.height,
        coincidencias_etiquetadas=same.height,
        por_registro=per_record,
    ).for_population(population)


HELD_BITS = 0.05
"""A pair held back from a match scores this far below the match threshold: a probability
that reads below it once rounded (0.9895 for 0.99)."""

EM_ITERATIONS = 25
"""Rounds of expectation–maximisation for a registry without enough labelled records."""

FITTED = ("apellidos", "nombre", "fecha", "edo_nac", "lugar")
"""Comparisons whose m expectation–maximisation fits (the CURP's and sex's are set by hand)."""


RANDOM_CHUNK = 100_000
"""Random pairs compared at a time: u is counted chunk by chunk, so that counting it costs
little memory."""

MIN_EM_PAIRS = 100
"""Fewer candidate pairs than this and expectation–maximisation is not tried."""


def _random_rates(
    frame: pl.DataFrame, pairs: pl.DataFrame, names: Sequence[str]
) -> dict[str, dict[str, float]]:
    """u: each level's share (Laplace-smoothed) among random ``pairs``, counted in chunks."""
    counts = {name: [0] * len(LEVELS[name]) for name in names}
    for start in range(0, pairs.height, RANDOM_CHUNK):
        levels = compare(frame, pairs.slice(start, RANDOM_CHUNK), labelled=True)
        for name in names:
            for level, n in levels[name].drop_nulls().value_counts().iter_rows():
                counts[name][level] += n
    return {
        name: {
            lv: (counts[name][k] + 1) / (sum(counts[name]) + len(LEVELS[name]))
            for k, lv in enumerate(LEVELS[name])
        }
        for name in names
    }


def _random_pairs(frame: pl.DataFrame, count: int) -> pl.DataFrame:
    rng = np.random.default_rng(2016)
    drawn = pl.DataFrame(
        {"i": rng.integers(0, frame.height, count), "j": rng.integers(0, frame.height, count)},
        schema={"i": pl.UInt32, "j": pl.UInt32},
    )
    return drawn.filter(pl.col("i") != pl.col("j"))


def _unlabelled(frame: pl.DataFrame, population: int) -> Model:
    """m and u without labelled pairs (a roster without CURPs), as Splink does: u on random
    pairs (almost all of them different people), m by expectation–maximisation over the
    candidate pairs, starting from :data:`DEFAULT_MODEL`; the prior from the matches it finds
    (``frame`` a uniform sample of the ``population`` records, or all of them).
    Too few records or pairs: :data:`DEFAULT_MODEL`."""
    if frame.height < 2:
        return DEFAULT_MODEL.for_population(population)
    frame = frame.drop("i").with_row_index("i")
    pairs = candidate_pairs(frame, frame["i"])
    if pairs.height < MIN_EM_PAIRS:
        return DEFAULT_MODEL.for_population(population)
    u = {name: dict(DEFAULT_MODEL.u[name]) for name in LEVELS}
    u |= _random_rates(frame, _random_pairs(frame, RANDOM_PAIRS), (*FITTED, "sexo"))
    levels = compare(frame, pairs, labelled=True).select(*FITTED, "sexo")
    m = {name: dict(DEFAULT_MODEL.m[name]) for name in LEVELS}
    share = 0.1
    for _ in range(EM_ITERATIONS):
        bits = pl.sum_horizontal(
            pl.col(name)
            .replace_strict(
                list(range(len(LEVELS[name]))),
                [math.log2(m[name][lv] / u[name][lv]) for lv in LEVELS[name]],
                default=0.0,
                return_dtype=pl.Float64,
            )
            .fill_null(0.0)
            for name in (*FITTED, "sexo")
        )
        odds = share / (1 - share)
        posterior = levels.select(p=1 / (1 + 1 / (odds * 2.0**bits)))["p"]
        share = min(0.5, max(1e-6, float(posterior.mean())))  # type: ignore[arg-type]
        for name in FITTED:
            weighted = (
                pl.DataFrame({"nivel": levels[name], "p": posterior})
                .drop_nulls("nivel")
                .group_by("nivel")
                .agg(pl.col("p").sum())
            )
            total = float(weighted["p"].sum()) + len(LEVELS[name])
            found = dict(zip(weighted["nivel"].to_list(), weighted["p"].to_list(), strict=True))
            m[name] = {lv: (found.get(k, 0.0) + 1) / total for k, lv in enumerate(LEVELS[name])}
    # A sample of a fraction f of the records keeps f² of the matching pairs.
    matches = share * pairs.height * (population / frame.height) ** 2
    return Model(
        prior=0.0,
        m=m,
        u=u,
        pares_etiquetados=0,
        coincidencias_etiquetadas=0,
        por_registro=2 * matches / population,
    ).for_population(population)


def _rates(level: pl.Series, count: int) -> dict[str, float]:
    """Share of each level, Laplace-smoothed so that no level has probability 0."""
    observed = level.drop_nulls().value_counts()
    counts = dict(zip(observed[level.name].to_list(), observed["count"].to_list(), strict=True))
    total = sum(counts.values()) + count
    return {str(k): (counts.get(k, 0) + 1) / total for k in range(count)}


@dataclass
class Decisions:
    """What a run concluded for the records without a person (row numbers of the frame)."""

    join: dict[int, int] = field(default_factory=dict)
    """Record → existing person."""
    new: list[list[int]] = field(default_factory=list)
    """Groups of records that are one new person each."""
    review: list[tuple[int, int, float]] = field(default_factory=list)
    """(record held for review, candidate record, probability)."""


def decide(
    frame: pl.DataFrame,
    scored: pl.DataFrame,
    thresholds: Thresholds,
    same: list[tuple[int, int]] = [],  # noqa: B006 - read only
    different: list[tuple[int, int]] = [],  # noqa: B006 - read only
    model: Model = DEFAULT_MODEL,
    uncertain: Collection[int] = (),
    twins: Mapping[int, int] = {},
) -> Decisions:
    """Turn scored pairs into joins, new persons and review items.

    ``same``/``different`` are human decisions (row numbers): a "same" pair is a certain match, a
    "different" one keeps the record away from the candidate's person (or the candidate itself).
    ``model`` weighs the pairs inside a group that were not scored (:func:`_split_chains`).
    ``uncertain`` are the known persons made by matching (without a CURP): their records are
    not certain to be one person, as a group of pending records is not.

    A record meets a known person without a CURP as it would have met its records had they been
    pending too, so that resolving roster by roster finds the persons that resolving at once
    finds: a doubt about such a person holds only a record that would be alone (one with a
    strong link to another pending record is left to its group), and a record or group joins
    such a person only if it reaches the review threshold with every one of its records
    (complete linkage, as :func:`_split_chains` builds groups).

    ``twins`` (:func:`twins`), left out of ``scored``, are decided as the copy they follow.
    """
    person = frame["persona_id"]
    pending = frame.filter(pl.col("persona_id").is_null() & ~pl.col("i").is_in(list(twins)))["i"]
    pairs = _capped(scored, thresholds)
    if same:
        forced = pl.DataFrame(
            {"i": [p for p, _ in same], "j": [q for _, q in same]},
            schema={"i": pl.UInt32, "j": pl.UInt32},
        ).with_columns(peso=pl.lit(math.inf))
        pairs = pl.concat([pairs.join(forced, on=["i", "j"], how="anti"), forced])
    pairs = pairs.with_columns(persona=person.gather(pairs["j"]))
    if different:
        blocked = pl.DataFrame(
            {"i": [p for p, _ in different], "j": [q for _, q in different]},
            schema={"i": pl.UInt32, "j": pl.UInt32},
        ).with_columns(persona=person.gather(pl.Series([q for _, q in different])))
        pairs = pairs.join(blocked.select("i", "j"), on=["i", "j"], how="anti").join(
            blocked.drop_nulls("persona").select("i", "persona"), on=["i", "persona"], how="anti"
        )
    result = Decisions()
    held: set[int] = set()
    linked = pairs.filter(pl.col("persona").is_null() & (pl.col("peso") >= thresholds.match_bits))
    linked_ids = set(linked["i"].to_list()) | set(linked["j"].to_list())
    members = _members(frame, uncertain)
    fits = _Fit(frame, members, thresholds, model)

    # 1. Records against known persons: the best person, if clearly ahead of any other.
    known = (
        pairs.filter(pl.col("persona").is_not_null() & (pl.col("peso") >= thresholds.review_bits))
        .group_by("i", "persona")
        .agg(pl.col("peso").max(), pl.col("j").sort_by("peso", -pl.col("j").cast(pl.Int64)).last())
        .sort("i", "peso", "persona", descending=[False, True, False])
        .group_by("i", maintain_order=True)
        .agg("persona", "j", "peso")
    )
    rows = known.rows()
    fits.weigh(
        [
            (i, p)
            for i, persons, _, weights in rows
            for p, w in zip(persons, weights, strict=True)
            if p in members and w >= thresholds.match_bits
        ]
    )
    for i, persons, candidates, weights in rows:
        best, j = weights[0], candidates[0]
        if persons[0] not in members:  # a person with a CURP: clearly ahead of any other
            second = weights[1] if len(weights) > 1 else -math.inf
            if best >= thresholds.match_bits and best - second >= thresholds.margin_bits:
                result.join[i] = persons[0]
            else:
                held.add(i)
                result.review.append((i, j, probability(best)))
            continue
        # Persons without a CURP, as their records would be met at once (strongest link first,
        # complete linkage); a person with a CURP close behind: a human decides.
        scores = list(zip(persons, weights, strict=True))
        certain = max((w for p, w in scores if p not in members), default=-math.inf)
        fitting = [
            (p, w) for p, w in scores if p in members and w >= thresholds.match_bits and fits(i, p)
        ]
        if fitting and fitting[0][1] - certain >= thresholds.margin_bits:
            result.join[i] = fitting[0][0]
        elif i in linked_ids:
            continue  # its group decides
        elif best >= thresholds.match_bits and best - certain >= thresholds.margin_bits:
            continue  # unlike a record of each: apart, as at once
        else:
            held.add(i)
            result.review.append((i, j, probability(best)))

    # 2. Records without a known person: strong links between them make groups, never through
    # a chain whose ends are unlike each other.
    strong = [
        (i, j, w)
        for i, j, w in pairs.filter(
            pl.col("persona").is_null() & (pl.col("peso") >= thresholds.match_bits)
        )
        .select("i", "j", "peso")
        .iter_rows()
        if i not in held and j not in held
    ]
    groups = _components(
        [i for i in pending.to_list() if i not in held], [(i, j) for i, j, _ in strong]
    )
    groups = _split_chains(frame, groups, strong, thresholds, model)
    alone: set[int] = set()
    fits.weigh(
        [
            (i, result.join[k])
            for group in groups
            for k in group
            if k in result.join
            for i in group
            if i not in result.join
        ]
    )
    for group in groups:
        persons = {result.join[i] for i in group if i in result.join}
        free = [i for i in group if i not in result.join]
        if not free:
            continue
        if len(persons) == 1:
            (persona,) = persons
            apart = [i for i in free if not fits(i, persona)]
            result.join.update((i, persona) for i in free if i not in apart)
            if apart:  # unlike a record of the person without a CURP: apart, as at once
                result.new.append(apart)
                if len(apart) == 1:
                    alone.add(apart[0])
        elif not persons:
            result.new.append(free)
            if len(free) == 1:
                alone.add(free[0])
        else:  # linked to two known persons: a human decides
            for i in free:
                held.add(i)
                best = pairs.filter(pl.col("i") == i).sort("peso", "j", descending=[True, False])
                best = best.head(1)
                result.review.append((i, int(best["j"][0]), probability(best["peso"][0])))

    # 3. A lone record close, but not enough, to another record without a person: held.
    doubtful = pairs.filter(
        pl.col("persona").is_null()
        & (pl.col("peso") >= thresholds.review_bits)
        & (pl.col("peso") < thresholds.match_bits)
    )
    ordered = doubtful.select("i", "j", "peso").sort(
        "peso", "i", "j", descending=[True, False, False]
    )
    for i, j, weight in ordered.iter_rows():
        later, earlier = max(i, j), min(i, j)
        if later in alone and later not in held:
            held.add(later)
            result.review.append((later, earlier, probability(weight)))
    result.new = [g for g in result.new if not (len(g) == 1 and g[0] in held)]
    return _followed(result, twins)


def _followed(result: Decisions, twins: Mapping[int, int]) -> Decisions:
    """``result`` with each of ``twins`` decided as the copy it follows: joined to its person,
    in its group, apart as it is (a person alone: copies too unlike to be one), or held against
    its candidate."""
    copies: dict[int, list[int]] = {}
    for copy, followed in twins.items():
        copies.setdefault(followed, []).append(copy)
    for i, persona in list(result.join.items()):
        result.join.update(dict.fromkeys(copies.get(i, ()), persona))
    new = []
    for group in result.new:
        followers = [c for i in group for c in copies.get(i, ())]
        new += [group + followers] if len(group) > 1 else [group] + [[c] for c in followers]
    result.new = new
    result.review += [(c, j, p) for i, j, p in result.review for c in copies.get(i, ())]
    return result


def late_curps(frame: pl.DataFrame, scored: pl.DataFrame, thresholds: Thresholds) -> dict[int, int]:
    """Persons created in this run for a CURP new to the registry (``scored`` pairs: ``i`` one
    of their records, ``j`` a record of an earlier person without a CURP) → the earlier person
    each one is.

    Resolved at once, the records of a person without a usable CURP join the person of their
    valid CURP (:func:`decide`); resolved roster by roster, the valid CURP may arrive after
    they were made a person of their own, and without this rule stayed another person. An
    earlier person takes a new one as a pending record takes a known person: its best pair
    reaches the match threshold, :attr:`Thresholds.margin_bits` ahead of any other new person;
    a new person claimed by several earlier ones goes to the one it matches best (the others
    stay apart: joining two earlier persons would change an id).
    """
    person = frame["persona_id"]
    pairs = _capped(scored, thresholds)
    pairs = pairs.with_columns(nueva=person.gather(pairs["i"]), previa=person.gather(pairs["j"]))
    best = (
        pairs.group_by("previa", "nueva")
        .agg(pl.col("peso").max())
        .sort("previa", "peso", "nueva", descending=[False, True, False])
        .group_by("previa", maintain_order=True)
        .agg(pl.col("nueva").first(), pl.col("peso").head(2))
    )
    claims: dict[int, tuple[float, int]] = {}
    for previa, nueva, weights in best.iter_rows():
        second = weights[1] if len(weights) > 1 else -math.inf
        if weights[0] < thresholds.match_bits or weights[0] - second < thresholds.margin_bits:
            continue
        if nueva not in claims or (-weights[0], previa) < (-claims[nueva][0], claims[nueva][1]):
            claims[nueva] = (weights[0], previa)
    return {nueva: previa for nueva, (_, previa) in claims.items()}


def _members(frame: pl.DataFrame, persons: Collection[int]) -> dict[int, list[int]]:
    """The records (row numbers) of each of ``persons`` in the frame."""
    if not persons:
        return {}
    rows = frame.filter(pl.col("persona_id").is_in(list(persons))).select("persona_id", "i")
    grouped = rows.group_by("persona_id").agg("i")
    return dict(zip(grouped["persona_id"].to_list(), grouped["i"].to_list(), strict=True))


class _Fit:
    """Whether a record reaches the review threshold with every record of a known person
    without a CURP (true for persons with one); pairs weighed in batches (:meth:`weigh`)."""

    def __init__(
        self,
        frame: pl.DataFrame,
        members: dict[int, list[int]],
        thresholds: Thresholds,
        model: Model,
    ) -> None:
        self.frame, self.members, self.thresholds, self.model = frame, members, thresholds, model
        self.weight: dict[tuple[int, int], float] = {}

    def weigh(self, asked: list[tuple[int, int]]) -> None:
        """Score every pair of each ``(record, person)`` asked that is not scored yet."""
        wanted = {
            (i, k)
            for i, persona in asked
            for k in self.members.get(persona, ())
            if (i, k) not in self.weight
        }
        if not wanted:
            return
        pairs = pl.DataFrame(sorted(wanted), schema={"i": pl.UInt32, "j": pl.UInt32}, orient="row")
        scored = _capped(score(compare(self.frame, pairs), self.model), self.thresholds)
        self.weight |= dict.fromkeys(wanted, -math.inf)  # dropped: two different valid CURPs
        self.weight |= {(i, j): w for i, j, w in scored.iter_rows()}

    def __call__(self, i: int, persona: int) -> bool:
        return all(
            self.weight[(i, k)] >= self.thresholds.review_bits
            for k in self.members.get(persona, ())
        )


def _capped(scored: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """``(i, j, peso)`` with the look of relatives held below a decision, whatever the rest
    says.

    The same surnames (both, or one of two) with unlike given names, born the same day in the
    same place, are twins or cousins: never matched automatically; only a CURP one character
    away makes them worth a human's look (a whole name mistyped). A surname plainly different
    from the other record's (both present: a sister, a cousin, a mother's surname) goes to
    review at most, unless the CURP agrees. Other unlike names are weighed as the model says:
    with m counted on the registry's own labelled pairs, a surname replaced by another one
    costs about 15 bits.
    """
    curp_supports = pl.col("curp").is_in([0, 1]).fill_null(False)
    below_match = thresholds.match_bits - HELD_BITS
    cap = pl.when(curp_supports).then(below_match).otherwise(thresholds.review_bits - 1e-9)
    return scored.select(
        "i",
        "j",
        peso=pl.when("nombres_distintos")
        .then(pl.min_horizontal("peso", cap))
        .when(pl.col("otro_apellido") & ~curp_supports)
        .then(pl.min_horizontal("peso", below_match))
        .otherwise("peso"),
    )


def _split_chains(
    frame: pl.DataFrame,
    groups: list[list[int]],
    strong: list[tuple[int, int, float]],
    thresholds: Thresholds,
    model: Model,
) -> list[list[int]]:
    """Groups rebuilt so that no two records of a group score below the review threshold
    against each other.

    Connected components join A and C through B when A–B and B–C are strong links, even if A
    and C are plainly different people (a common name without CURP linking two homonyms). Every
    pair inside a group of three or more is scored, then the group is rebuilt from its strong
    links, strongest first, merging two parts only if every pair across them reaches the review
    threshold (complete linkage). Two records with different valid CURPs never do.
    """
    big = [sorted(g) for g in groups if len(g) > 2]
    if not big:
        return groups
    inside = [(g[x], g[y]) for g in big for x in range(len(g)) for y in range(x + 1, len(g))]
    pairs = pl.DataFrame(inside, schema={"i": pl.UInt32, "j": pl.UInt32}, orient="row")
    weighed = _capped(score(compare(frame, pairs), model), thresholds)
    weight = {(i, j): w for i, j, w in weighed.iter_rows()}
    weight |= {(min(i, j), max(i, j)): w for i, j, w in strong}
    edges = sorted(strong, key=lambda e: (-e[2], e[0], e[1]))
    out = [g for g in groups if len(g) <= 2]
    for group in big:
        members = set(group)
        part = {n: frozenset([n]) for n in group}
        for i, j, _ in edges:
            if i not in members or j not in members or part[i] is part[j]:
                continue
            a, b = part[i], part[j]
            if all(
                weight.get((min(x, y), max(x, y)), -math.inf) >= thresholds.review_bits
                for x in a
                for y in b
            ):
                merged = a | b
                part.update(dict.fromkeys(merged, merged))
        out.extend(sorted(p) for p in dict.fromkeys(part.values()))
    return out


def _components(nodes: list[int], edges: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union–find; a few lines, no graph library needed)."""
    parent = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for n in nodes:
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())
