"""Probabilistic matching of records without a usable CURP (Fellegi–Sunter), in Polars.

Why not Splink here: Splink (on DuckDB) is the reference and ``bench/resolve.py`` runs it side by
side on the same records; this module does the same kind of scoring with what the CURP gives for
free. Records with a valid CURP are labelled pairs (same CURP = same person), so the m and u
probabilities are *counted* on a sample of them instead of estimated by EM, and only records
without a person are compared (incremental, linear in the new records times the block size).

Comparisons, each a few levels (``LEVELS``), names with Mexican rules (``geo.kernel.names``):
surnames as a pair that may be swapped or lack the second one, particles and married-name additions
dropped; given names spelled out (MA. → MARIA) and without a leading MARIA/JOSE; a one-letter
difference in a given name that turns Francisco into Francisca (O/A at the end) is a different
name. Blocking (:func:`blocks`): the same birth date and sex with a shared surname, given-name
core or CURP part; or the same birth year, first surname and given names as written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from geo.kernel import names

LEVELS: dict[str, tuple[str, ...]] = {
    "curp": ("igual", "un_caracter", "dos_caracteres", "distinta"),
    "apellidos": ("iguales", "invertidos", "falta_uno", "parecidos", "uno_igual", "distintos"),
    "nombre": ("igual", "nucleo", "contenido", "parecido", "distinto"),
    "fecha": ("igual", "parecida", "distinta"),
    "sexo": ("igual", "distinto"),
    "edo_nac": ("igual", "distinto"),
    "lugar": ("localidad", "municipio", "distinto"),
}
"""Comparison levels, most to least similar. A missing value on either side gives no level (no
evidence either way)."""

CURP_M = {"igual": 0.10, "un_caracter": 0.80, "dos_caracteres": 0.07, "distinta": 0.03}
"""P(level | same person) for the CURP when one of the two is not valid. Labelled pairs cannot
count this (both of their CURPs are valid), so it is set by hand: a CURP that fails its check
digit is most often one mistyped character (``padron synth`` models exactly that)."""

MIN_LABELLED_MATCHES = 500
"""Fewer labelled matching pairs than this and :data:`DEFAULT_MODEL` is used instead."""

LABELLED_SAMPLE = 300_000
"""Records with a valid CURP sampled (by CURP, so a person's records stay together) to count m
and u: enough for stable rates, small enough for the seed-size roster."""


@dataclass(frozen=True)
class Model:
    """Prior match probability among blocked pairs and m/u per comparison level."""

    prior: float
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    pares_etiquetados: int = 0
    coincidencias_etiquetadas: int = 0

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
SEX_U = {"igual": 0.99, "distinto": 0.01}
"""Sex, set by hand: both blocks nearly always pair records of the same sex, so counted rates
would say nothing (or, smoothed, that a disagreement is evidence *for* a match). A different
sex costs log2(0.001/0.01) ≈ -3.3 bits: FRANCISCO and FRANCISCA are different people."""


def _default_model() -> Model:
    # Counted by ``estimate_model`` on ``padron synth --escala 0.05`` (seed 2016, 190,000
    # records, 145,543 labelled pairs of which 11,978 matches), rounded.
    m = {
        "curp": CURP_M,
        "apellidos": {"iguales": 0.8756, "invertidos": 0.0204, "falta_uno": 0.0235,
                      "parecidos": 0.0784, "uno_igual": 0.0018, "distintos": 0.0003},
        "nombre": {"igual": 0.9601, "nucleo": 0.0021, "contenido": 0.0001, "parecido": 0.0366,
                   "distinto": 0.0012},
        "fecha": {"igual": 0.9998, "parecida": 0.0001, "distinta": 0.0001},
        "sexo": SEX_M,
        "edo_nac": {"igual": 0.9999, "distinto": 0.0001},
        "lugar": {"localidad": 0.9998, "municipio": 0.0001, "distinto": 0.0001},
    }  # fmt: skip
    u = {
        "curp": {"igual": 1e-6, "un_caracter": 1e-4, "dos_caracteres": 1e-3, "distinta": 0.999},
        "apellidos": {"iguales": 0.00148, "invertidos": 0.00022, "falta_uno": 0.00222,
                      "parecidos": 0.00013, "uno_igual": 0.10329, "distintos": 0.89267},
        "nombre": {"igual": 0.07926, "nucleo": 0.00165, "contenido": 0.01981,
                   "parecido": 0.00076, "distinto": 0.89853},
        "fecha": {"igual": 0.93818, "parecida": 0.00267, "distinta": 0.05915},
        "sexo": SEX_U,
        "edo_nac": {"igual": 0.90244, "distinto": 0.09756},
        "lugar": {"localidad": 0.00684, "municipio": 0.00485, "distinto": 0.98831},
    }  # fmt: skip
    return Model(prior=0.0823, m=m, u=u)


DEFAULT_MODEL = _default_model()

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
}
"""What matching reads of each record (``padron.registro`` columns)."""


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


TF_PSEUDOCOUNT = 1_000
"""Frequencies are shrunk towards the level's average ``u`` as if this many records had it:
with a few records the counts say little (a test registry of 20 records changes nothing)."""


def prepare(records: pl.DataFrame, frequencies: NameFrequencies | None = None) -> pl.DataFrame:
    """Add the matching forms: surname and given-name cores as integer codes, block keys, and
    with ``frequencies`` each record's name frequencies (``p_nombre``, ``p_apellidos``, with the
    totals they are shares of).

    Codes are shared by both surnames (so swapped surnames compare equal) and computed once per
    distinct name.
    """
    if frequencies is not None:
        records = _with_frequencies(records, frequencies)
    frame = records.with_columns(
        _core(pl.col("primer_ap_norm"), names.surname_core).alias("ap1"),
        _core(pl.col("segundo_ap_norm"), names.surname_core).alias("ap2"),
        _core(pl.col("nombre_norm"), names.given_names_core).alias("nom_nucleo"),
    )
    surnames = pl.concat([frame["ap1"], frame["ap2"]]).drop_nulls().unique().sort()
    given = pl.concat([frame["nombre_norm"], frame["nom_nucleo"]]).drop_nulls().unique().sort()
    return frame.with_columns(
        ap1_c=_code(pl.col("ap1"), surnames),
        ap2_c=_code(pl.col("ap2"), surnames),
        nom_c=_code(pl.col("nombre_norm"), given),
        nucleo_c=_code(pl.col("nom_nucleo"), given),
        anio=pl.col("fecha_nacimiento").dt.year(),
    ).with_row_index("i")


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


def _core(column: pl.Expr, function: object) -> pl.Expr:
    def apply(value: str) -> str | None:
        core: str = function(value)  # type: ignore[operator]
        return core or None

    return column.map_elements(apply, return_dtype=pl.String, skip_nulls=True)


def _code(column: pl.Expr, vocabulary: pl.Series) -> pl.Expr:
    return column.replace_strict(
        vocabulary, pl.int_range(vocabulary.len(), dtype=pl.UInt32, eager=True), default=None
    )


def blocks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Blocking keys, one frame ``(i, key...)`` per rule: a pair is compared if it shares a key
    of one rule. A record may have several keys in a rule (either surname, either part of the
    CURP).

    Born the same day, of the same sex, and sharing a surname (in either position: swapped or
    missing surnames), the given names' core, or a part of the CURP (a CURP one character away
    keeps one of its two parts: the whole-name typo that only a CURP reveals); or born the same
    year with the same first surname and given names as written (a mistyped birth date).
    Blocking on (birth date, sex) alone compared everyone born that day: 29 M pairs and 7.5 GB
    at 3.8 M records. Of the pairs it found and these do not, a pair with no surname and no
    given-name core in common is scored as unlike names, never matched automatically
    (:func:`decide`); only a pair with both surnames *and* the given names mistyped is lost.
    """
    day = ("fecha_nacimiento", "sexo")
    curp_parts = pl.concat_list(
        pl.col("curp").str.slice(0, 4), pl.lit("·") + pl.col("curp").str.slice(10, 6)
    )
    return [
        frame.select("i", *day, clave=pl.concat_list("ap1_c", "ap2_c")).explode("clave"),
        frame.select("i", *day, clave="nucleo_c"),
        frame.select("i", *day, clave=curp_parts).explode("clave"),
        frame.select("i", "anio", "primer_ap_norm", "nombre_norm"),
    ]


def model_blocks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """The pairs m, u and the prior refer to: born the same day with the same sex, or the same
    year with the same first surname and given names. :func:`blocks` compares a subset of them
    (the rest would score as unlike names), so the model stays calibrated for the pairs it
    scores; counting it on the narrower blocks themselves made identical names and birth dates
    without a place only 94 % likely the same person at 3.8 M records, and sent 13,900 of them
    to review."""
    return [
        frame.select("i", "fecha_nacimiento", "sexo"),
        frame.select("i", "anio", "primer_ap_norm", "nombre_norm"),
    ]


def candidate_pairs(
    frame: pl.DataFrame,
    left: pl.Series,
    rules: Callable[[pl.DataFrame], list[pl.DataFrame]] = blocks,
) -> pl.DataFrame:
    """Pairs ``(i, j)``, ``i`` among the row numbers ``left``, sharing a key of one of the
    blocking ``rules``; ``j`` is any other record, and a pair of two left records appears once
    (``i < j``)."""
    is_left = frame["i"].is_in(left.implode())
    out = []
    for keyed in rules(frame):
        keyed = keyed.drop_nulls().unique()
        key = [c for c in keyed.columns if c != "i"]
        lefts = keyed.filter(is_left.gather(keyed["i"]))
        pairs = lefts.join(keyed, on=key, suffix="_j").select("i", j="i_j")
        out.append(pairs)
    pairs = pl.concat(out).unique()
    j_is_left = is_left.gather(pairs["j"])
    return pairs.filter((pairs["i"] != pairs["j"]) & (~j_is_left | (pairs["i"] < pairs["j"])))


def compare(frame: pl.DataFrame, pairs: pl.DataFrame, labelled: bool = False) -> pl.DataFrame:
    """Comparison levels (index into ``LEVELS[name]``, null when a value is missing) per pair.

    Pairs of two different valid CURPs (homonyms) are dropped: they are never the same person.
    ``labelled`` keeps them (and gives no CURP level): the pairs that count m and u.
    """
    a = frame[pairs["i"]]
    b = frame[pairs["j"]]
    if not labelled:
        both_valid = a["curp_valida"] & b["curp_valida"]
        keep = ~(both_valid & (a["curp"] != b["curp"])).fill_null(False)
        pairs, a, b = pairs.filter(keep), a.filter(keep), b.filter(keep)
    if "p_nombre" in frame.columns:  # frequencies of the left record's names (see score)
        pairs = pairs.with_columns(a.select("p_nombre", "n_nombres", "p_apellidos", "n_apellidos"))
    return pairs.with_columns(
        curp=_curp_level(a["curp"], b["curp"]),
        apellidos=_surname_level(a, b),
        nombre=_given_level(a, b),
        fecha=_date_level(a["fecha_nacimiento"], b["fecha_nacimiento"]),
        sexo=_equal_level(a["sexo"], b["sexo"]),
        edo_nac=_equal_level(a["edo_nac"], b["edo_nac"]),
        lugar=_place_level(a, b),
    )


def _distance(left: pl.Series, right: pl.Series) -> pl.Series:
    """Levenshtein distance, computed once per distinct pair of values (rapidfuzz)."""
    pairs = pl.DataFrame({"a": left, "b": right})
    distinct = pairs.drop_nulls().unique()
    distances = process.cpdist(
        distinct["a"].to_list(), distinct["b"].to_list(), scorer=Levenshtein.distance, workers=-1
    )
    distinct = distinct.with_columns(d=pl.Series(distances, dtype=pl.Int32))
    return pairs.join(distinct, on=["a", "b"], how="left", maintain_order="left")["d"]


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
    d = _distance(a, b)
    return _levels([d == 0, d == 1, d == 2], a.is_null() | b.is_null())


def _surname_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    a1, a2, b1, b2 = a["ap1_c"], a["ap2_c"], b["ap1_c"], b["ap2_c"]
    eq = _eq
    one_missing = a2.is_null() | b2.is_null()
    the_present_one_agrees = (
        eq(a1, b1) | (a2.is_null() & eq(a1, b2)) | (b2.is_null() & eq(a2, b1))
    ) & one_missing
    close = _close(a["ap1"], b["ap1"]) & _close(a["ap2"], b["ap2"])
    close_swapped = _close(a["ap1"], b["ap2"]) & _close(a["ap2"], b["ap1"])
    return _levels(
        [
            eq(a1, b1) & eq(a2, b2),
            eq(a1, b2) & eq(a2, b1),
            the_present_one_agrees,
            close | close_swapped,
            eq(a1, b1) | eq(a1, b2) | eq(a2, b1) | eq(a2, b2),
        ],
        a1.is_null() | b1.is_null(),
    )


def _given_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    core_a, core_b = a["nom_nucleo"], b["nom_nucleo"]
    words_a = a["nombre_norm"].str.split(" ")
    words_b = b["nombre_norm"].str.split(" ")
    contained = (
        words_a.list.set_difference(words_b).list.len() == 0
    ) | (words_b.list.set_difference(words_a).list.len() == 0)  # fmt: skip
    return _levels(
        [
            _eq(a["nom_c"], b["nom_c"]),
            _eq(a["nucleo_c"], b["nucleo_c"]),
            contained,
            _close(core_a, core_b) & ~_gender_pair(core_a, core_b),
        ],
        a["nombre_norm"].is_null() | b["nombre_norm"].is_null(),
    )


def _gender_pair(a: pl.Series, b: pl.Series) -> pl.Series:
    """FRANCISCO/FRANCISCA, MARIO/MARIA: the same stem ending in O and A are different names."""
    same_stem = a.str.slice(0, a.str.len_chars() - 1) == b.str.slice(0, b.str.len_chars() - 1)
    ends = a.str.slice(-1) + b.str.slice(-1)
    return (same_stem & ends.is_in(["OA", "AO"])).fill_null(False)


def _date_level(a: pl.Series, b: pl.Series) -> pl.Series:
    text_a, text_b = a.dt.strftime("%Y%m%d"), b.dt.strftime("%Y%m%d")
    swapped = (
        (a.dt.year() == b.dt.year()) & (a.dt.month() == b.dt.day()) & (a.dt.day() == b.dt.month())
    )
    different = a != b
    close = pl.Series([False] * len(a), dtype=pl.Boolean)
    if different.any():
        close = (_distance(text_a.set(~different, None), text_b) == 1).fill_null(False)
    return _levels([a == b, close | swapped], a.is_null() | b.is_null())


def _equal_level(a: pl.Series, b: pl.Series) -> pl.Series:
    return _levels([a == b], a.is_null() | b.is_null())


def _place_level(a: pl.DataFrame, b: pl.DataFrame) -> pl.Series:
    same_mun = a["cve_mun"] == b["cve_mun"]
    return _levels(
        [same_mun & (a["cve_loc"] == b["cve_loc"]), same_mun],
        a["cve_mun"].is_null() | b["cve_mun"].is_null(),
    )


def _eq(a: pl.Series, b: pl.Series) -> pl.Series:
    return (a == b).fill_null(False)


def _close(a: pl.Series, b: pl.Series) -> pl.Series:
    """At most one edit apart (a typo, Ñ written NI)."""
    return (_distance(a, b) <= 1).fill_null(False)


_EXACT_NAME_LEVELS = (
    ("nombre", "igual", "p_nombre", "n_nombres"),
    ("apellidos", "iguales", "p_apellidos", "n_apellidos"),
    ("apellidos", "invertidos", "p_apellidos", "n_apellidos"),
)
"""Levels weighed by name frequency: (comparison, level, frequency column, its total)."""


def score(levels: pl.DataFrame, model: Model) -> pl.DataFrame:
    """Add ``peso``: log2 odds of the same person (prior plus each comparison's bits; exactly
    equal given names or surnames weighed by their frequency when :func:`compare` carried
    them, see :class:`NameFrequencies`), and
    ``nombres_distintos``: given names or surnames that do not resemble at all, which
    :func:`decide` never matches automatically."""
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
    unlike_names = (pl.col("nombre") == len(LEVELS["nombre"]) - 1) | (
        pl.col("apellidos") == len(LEVELS["apellidos"]) - 1
    )
    return levels.with_columns(
        peso=pl.sum_horizontal(list(terms.values())) + model.prior_bits(),
        nombres_distintos=unlike_names.fill_null(False),
    )


def probability(bits: float) -> float:
    """Match probability from log2 odds."""
    return 1.0 if bits == math.inf else 1 / (1 + 2 ** (-bits))


def estimate_model(frame: pl.DataFrame) -> Model:
    """Count m and u on labelled pairs: records with a valid CURP, sampled by CURP.

    Sampling whole CURPs keeps every matching pair of a sampled person (m exact) and a uniform
    sample of the others (u unbiased); the prior is corrected for the sampling fraction.
    """
    valid = frame.filter(pl.col("curp_valida")).drop("i")
    if valid.height == 0:
        return DEFAULT_MODEL
    fraction = min(1.0, LABELLED_SAMPLE / valid.height)
    buckets = 1_000_000
    sampled = valid.filter(
        pl.col("curp").hash(seed=2016) % buckets < int(fraction * buckets)
    ).with_row_index("i")
    pairs = candidate_pairs(sampled, sampled["i"], model_blocks).filter(pl.col("i") < pl.col("j"))
    levels = compare(sampled, pairs, labelled=True)
    same = sampled["curp"].gather(levels["i"]) == sampled["curp"].gather(levels["j"])
    matches = int(same.sum())
    if matches < MIN_LABELLED_MATCHES or matches == levels.height:
        return DEFAULT_MODEL  # too few matches for m, or no non-matches at all for u and prior
    m: dict[str, dict[str, float]] = {"curp": dict(CURP_M), "sexo": dict(SEX_M)}
    u: dict[str, dict[str, float]] = {"curp": dict(DEFAULT_MODEL.u["curp"]), "sexo": dict(SEX_U)}
    for name, lv in LEVELS.items():
        if name in m:
            continue
        m[name] = _rates(levels[name].filter(same), len(lv))
        u[name] = _rates(levels[name].filter(~same), len(lv))
        m[name] = dict(zip(lv, m[name].values(), strict=True))
        u[name] = dict(zip(lv, u[name].values(), strict=True))
    non_matches = (levels.height - matches) / fraction
    return Model(
        prior=matches / (matches + non_matches),
        m=m,
        u=u,
        pares_etiquetados=levels.height,
        coincidencias_etiquetadas=matches,
    )


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
) -> Decisions:
    """Turn scored pairs into joins, new persons and review items.

    ``same``/``different`` are human decisions (row numbers): a "same" pair is a certain match, a
    "different" one keeps the record away from the candidate's person (or the candidate itself).
    """
    person = frame["persona_id"]
    pending = frame.filter(pl.col("persona_id").is_null())["i"]
    # Unlike names are never matched automatically: only a CURP one character away makes them
    # worth a human's look (a whole name mistyped); otherwise they are different people (twins).
    curp_supports = pl.col("curp").is_in([0, 1]).fill_null(False)
    cap = (
        pl.when(curp_supports)
        .then(thresholds.match_bits - 1e-9)
        .otherwise(thresholds.review_bits - 1e-9)
    )
    pairs = scored.select(
        "i",
        "j",
        peso=pl.when("nombres_distintos").then(pl.min_horizontal("peso", cap)).otherwise("peso"),
    )
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

    # 1. Records against known persons: the best person, if clearly ahead of any other.
    known = (
        pairs.filter(pl.col("persona").is_not_null() & (pl.col("peso") >= thresholds.review_bits))
        .group_by("i", "persona")
        .agg(pl.col("peso").max(), pl.col("j").sort_by("peso", -pl.col("j").cast(pl.Int64)).last())
        .sort("i", "peso", "persona", descending=[False, True, False])
        .group_by("i", maintain_order=True)
        .agg(pl.col("persona").first(), pl.col("j").first(), pl.col("peso").head(2))
    )
    for i, persona, j, weights in known.iter_rows():
        best = weights[0]
        second = weights[1] if len(weights) > 1 else -math.inf
        if best >= thresholds.match_bits and best - second >= thresholds.margin_bits:
            result.join[i] = persona
        else:
            held.add(i)
            result.review.append((i, j, probability(best)))

    # 2. Records without a known person: strong links between them make groups.
    strong = pairs.filter(
        pl.col("persona").is_null() & (pl.col("peso") >= thresholds.match_bits)
    ).select("i", "j")
    groups = _components(
        [i for i in pending.to_list() if i not in held],
        [(i, j) for i, j in strong.iter_rows() if i not in held and j not in held],
    )
    alone: set[int] = set()
    for group in groups:
        persons = {result.join[i] for i in group if i in result.join}
        free = [i for i in group if i not in result.join]
        if not free:
            continue
        if len(persons) == 1:
            (persona,) = persons
            result.join.update(dict.fromkeys(free, persona))
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
    return result


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
