"""Synthetic rosters in the PUB layout over the real Oaxaca localities, with ground truth.

People are placed in the 10,723 ITER 2020 localities in proportion to census population, get
realistic Mexican names, birth dates fitting their program, and valid CURPs; then the rosters are
damaged the way real ones are (name variants, missing and mistyped CURPs, lost key zeros, bad
coordinates, mixed formats), and every damage is written to ``verdad.csv``. Deterministic by seed:
the same configuration writes byte-identical files. Vectorised with numpy and Polars so the
seed-size rosters (3.82 M rows) take a minute or two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from geo import curp
from geo.errors import InvalidParameter

SURNAMES = [
    *(
        "HERNÁNDEZ GARCÍA LÓPEZ MARTÍNEZ PÉREZ CRUZ SANTIAGO RAMÍREZ JIMÉNEZ RUIZ MENDOZA GÓMEZ "
        "SÁNCHEZ VÁSQUEZ GONZÁLEZ DÍAZ REYES MORALES LUNA JUÁREZ TORRES RAMOS ORTIZ CASTILLO "
        "VARGAS AGUILAR CHÁVEZ GUTIÉRREZ ROJAS SALINAS MATÍAS FLORES ROBLES BAUTISTA MIGUEL "
        "ANTONIO ALVARADO CORTÉS CRUZ ZÁRATE NÚÑEZ MUÑOZ IBÁÑEZ OSORIO ALTAMIRANO ZAVALETA "
        "VELASCO CERVANTES ROSALES AQUINO CABRERA VICENTE CARRASCO JARQUÍN MARTÍN PACHECO "
        "SOSA LEYVA NAVARRO OROZCO GUZMÁN RÍOS MEJÍA AVENDAÑO ESCAMILLA ACEVEDO ALONSO BARRIOS "
        "CANSECO DOMÍNGUEZ ESTRADA FIGUEROA GARNICA HIPÓLITO ISIDRO JACINTO LAGUNAS MONTESINOS "
        "NOLASCO OLIVERA PINACHO QUERO REGINO SIBAJA TOLEDO URIETA VELÁSQUEZ YESCAS ZÁRATE"
    ).split(),
    *("DE LA CRUZ", "DEL VALLE", "DE JESÚS", "DE LOS SANTOS", "DE LEÓN"),
]
"""Common Oaxacan surnames (repeats make the frequent ones more frequent)."""

GIVEN = {
    "M": (
        "MARÍA,MARÍA GUADALUPE,JUANA,ROSA,MARGARITA,FRANCISCA,ANA MARÍA,ELENA,JOSEFINA,"
        "MARÍA DE LOS ÁNGELES,TERESA,LETICIA,PATRICIA,GUADALUPE,ESPERANZA,CARMEN,SOFÍA,"
        "REYNA,ISABEL,ALICIA,LUCÍA,EUGENIA,CATALINA,VIRGINIA,ANTONIA,GABRIELA,YOLANDA,"
        "MARÍA LUISA,MARÍA ELENA,BEATRIZ,IRMA,SILVIA,AURORA,NOEMÍ,ROCÍO,XÓCHITL,ITZEL,"
        "CITLALI,FLOR,MARISOL,ADELA,ÁNGELA,CONCEPCIÓN,PETRONILA,FAUSTINA,MAGDALENA,"
        "ROSALBA,VERÓNICA,NANCY,ARACELI,LIZBETH,DANIELA,FERNANDA,VALERIA,XIMENA,ÑUSTA"
    ).split(","),
    "H": (
        "JOSÉ,JUAN,PEDRO,FRANCISCO,JOSÉ LUIS,JUAN CARLOS,MIGUEL,ANTONIO,JESÚS,MANUEL,"
        "ALEJANDRO,RAFAEL,ROBERTO,FERNANDO,MARIO,ENRIQUE,JORGE,RICARDO,SERGIO,ARTURO,"
        "JOSÉ ANTONIO,MIGUEL ÁNGEL,JUAN PABLO,FELIPE,ISIDRO,MAXIMINO,EMILIANO,ABEL,"
        "ALBERTO,ANDRÉS,BENITO,CELESTINO,DOMINGO,EFRAÍN,FAUSTINO,GILBERTO,HÉCTOR,"
        "IGNACIO,JAVIER,LORENZO,MARCOS,NICOLÁS,OMAR,PABLO,RAÚL,SALVADOR,TOMÁS,"
        "URIEL,VÍCTOR,DAVID,DANIEL,LUIS,CARLOS,EDUARDO,HUGO,ISRAEL,ÁNGEL,OSCAR"
    ).split(","),
}
"""Given names by sex; compound ones (MARÍA GUADALUPE, JOSÉ LUIS) test the CURP's rule."""

STREETS = (
    "HIDALGO,MORELOS,JUÁREZ,INDEPENDENCIA,5 DE MAYO,16 DE SEPTIEMBRE,REFORMA,ALLENDE,"
    "GUERRERO,MATAMOROS,LIBERTAD,EL ROSARIO,LAS FLORES,DEL ÁRBOL,PROGRESO,BENITO JUÁREZ"
).split(",")
DESCRIPTIONS = (
    "FRENTE A LA IGLESIA,A UN COSTADO DE LA AGENCIA,CERCA DE LA ESCUELA,JUNTO AL PANTEÓN,"
    "CASA DE ADOBE,ENTRADA DEL PUEBLO,,,"
).split(",")

PUB_COLUMNS = (
    "ID_REGISTRO", "CD_PROGRAMA", "PERIODO", "FH_ALTA", "NB_PRIMER_AP", "NB_SEGUNDO_AP",
    "NB_NOMBRE", "FH_NACIMIENTO", "CD_SEXO", "CD_EDO_NAC", "NB_CURP", "NU_IMP_MONETARIO",
    "TIPOVIAL", "NOMVIAL", "NUMEXTNUM1", "NUMEXTALF1", "NUMINTNUM", "TIPOASEN", "NOMASEN", "CP",
    "CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN", "CVE_LOC", "NOM_LOC", "DESCRUBIC", "LONGITUD",
    "LATITUD",
)  # fmt: skip

ERRORS = (
    "nombre_variante", "curp_faltante", "curp_error_tipeo", "curp_minusculas", "claves_faltantes",
    "claves_sin_ceros", "coord_faltante", "coord_invertida", "coord_signo", "coord_cero",
    "coord_otro_municipio", "coord_coma_decimal", "coord_dms", "duplicado_interno", "homonimo",
)  # fmt: skip
"""Names of the damages recorded in ``verdad.csv`` (``errores``, separated by ``;``)."""


@dataclass(frozen=True)
class ProgramSpec:
    """One roster to write."""

    code: str
    rows: int
    period: str
    min_age: int
    max_age: int
    amount: str
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def file_name(self) -> str:
        """The roster's file name."""
        return f"padron_{self.code.lower()}.csv"


@dataclass(frozen=True)
class SynthConfig:
    """What to generate; rates are fractions of roster rows (people for ``shared``)."""

    seed: int = 2016
    programs: tuple[ProgramSpec, ...] = (
        ProgramSpec("BIENESTAR", 20_000, "2016", 18, 90, "1500.00", "utf-8", ","),
        ProgramSpec("SEDESOL", 28_000, "2016", 65, 100, "1160.00", "cp1252", "|"),
    )
    shared: float = 0.35
    rates: dict[str, float] = field(
        default_factory=lambda: {
            "duplicado_interno": 0.015,
            "homonimo": 0.002,
            "nombre_variante": 0.10,
            "curp_faltante": 0.08,
            "curp_error_tipeo": 0.02,
            "curp_minusculas": 0.01,
            "claves_faltantes": 0.05,
            "claves_sin_ceros": 0.05,
            "coord_faltante": 0.20,
            "coord_invertida": 0.01,
            "coord_signo": 0.01,
            "coord_cero": 0.005,
            "coord_otro_municipio": 0.01,
            "coord_coma_decimal": 0.02,
            "coord_dms": 0.01,
        }
    )

    @classmethod
    def seed_sized(cls, scale: float = 1.0, seed: int = 2016) -> SynthConfig:
        """Oaxaca's real sizes: 1,598,672 state (Bienestar) and 2,223,143 federal rows, scaled."""
        if not 0 < scale <= 1:
            raise InvalidParameter("La escala debe estar entre 0 y 1.")
        base = cls()
        sizes = (1_598_672, 2_223_143)
        programs = tuple(
            ProgramSpec(**{**p.__dict__, "rows": max(1, round(n * scale))})
            for p, n in zip(base.programs, sizes, strict=True)
        )
        return cls(seed=seed, programs=programs)


@dataclass(frozen=True)
class SynthSummary:
    """What was written."""

    files: dict[str, int]
    people: int
    """Distinct persons across the rosters."""
    truth: Path


def generate(data_dir: Path, out_dir: Path, config: SynthConfig) -> SynthSummary:
    """Write one roster per program and ``verdad.csv`` into ``out_dir``."""
    rng = np.random.default_rng(config.seed)
    places = _localities(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    people = _people(rng, places, sum(p.rows for p in config.programs), config)
    truth_parts = []
    files = {}
    taken = np.zeros(people.height, dtype=bool)
    for index, program in enumerate(config.programs):
        chosen = _choose(rng, people, program, taken, config.shared if index else 0.0)
        taken[chosen] = True
        roster, truth = _roster(rng, people, places, chosen, program, config)
        path = out_dir / program.file_name
        with path.open("w", encoding=program.encoding, newline="") as handle:
            handle.write(roster.write_csv(separator=program.delimiter, quote_style="necessary"))
        files[path.name] = roster.height
        truth_parts.append(truth.with_columns(archivo=pl.lit(path.name)))
    truth_path = out_dir / "verdad.csv"
    pl.concat(truth_parts).select(
        "archivo", "programa", "folio", "fila", "persona_verdadera", "cvegeo_verdadero",
        "lon_verdadera", "lat_verdadera", "curp_verdadera", "errores",
    ).write_csv(truth_path)  # fmt: skip
    return SynthSummary(files=files, people=int(taken.sum()), truth=truth_path)


def _localities(data_dir: Path) -> pl.DataFrame:
    path = data_dir / "oaxaca_iter2020_localidades.csv"
    if not path.exists():
        raise InvalidParameter(f"No se encuentra {path} (PADRON_DATA_DIR).")
    frame = pl.read_csv(path, infer_schema=False, columns=[
        "CVEGEO", "MUN", "NOM_MUN", "LOC", "NOM_LOC", "POBTOT", "LON_DEC", "LAT_DEC",
    ])  # fmt: skip
    return frame.filter(~pl.col("LOC").is_in(["0000", "9998", "9999"])).with_columns(
        pl.col("POBTOT").cast(pl.Int64),
        pl.col("LON_DEC").cast(pl.Float64),
        pl.col("LAT_DEC").cast(pl.Float64),
    )


def _people(
    rng: np.random.Generator, places: pl.DataFrame, count: int, config: SynthConfig
) -> pl.DataFrame:
    """Distinct synthetic persons with their true data and CURP."""
    weights = places["POBTOT"].to_numpy() / places["POBTOT"].sum()
    place = rng.choice(places.height, size=count, p=weights)
    sex = np.where(rng.random(count) < 0.52, "M", "H")
    surname_p = _zipf(len(SURNAMES))
    first = np.array(SURNAMES)[rng.choice(len(SURNAMES), size=count, p=surname_p)]
    second = np.array(SURNAMES)[rng.choice(len(SURNAMES), size=count, p=surname_p)]
    given = np.empty(count, dtype=object)
    for key in ("M", "H"):
        mask = sex == key
        given[mask] = np.array(GIVEN[key])[
            rng.choice(len(GIVEN[key]), size=mask.sum(), p=_zipf(len(GIVEN[key])))
        ]
    # Ages 0–100 weighted towards adults; programs pick the people of their age range.
    age_days = rng.integers(18 * 365, 100 * 365, size=count)
    born = np.datetime64("2016-12-31") - age_days.astype("timedelta64[D]")
    state = np.where(
        rng.random(count) < 0.95, "20", rng.choice(["09", "21", "07", "30", "12"], size=count)
    )
    homoclave = np.array(["0"] * count, dtype=object)
    # Homonyms: same names, birth date and sex as someone else, a different person and CURP.
    homonyms = np.flatnonzero(rng.random(count) < config.rates["homonimo"])
    twins = rng.integers(0, count, size=homonyms.size)
    for target, source in zip(homonyms, twins, strict=True):
        first[target], second[target], given[target] = first[source], second[source], given[source]
        born[target], sex[target], state[target] = born[source], sex[source], state[source]
        homoclave[target] = "1"
    curps = [
        curp.build(a, b, c, d, s, e, h if d.year < 2000 else chr(ord("A") + int(h)))
        for a, b, c, d, s, e, h in zip(
            first, second, given, born.astype(object), sex, state, homoclave, strict=True
        )
    ]
    # RENAPO never gives two people one CURP: people whose data coincide (by chance or as
    # homonyms) get the next free homonym differentiator, as RENAPO does.
    seen: set[str] = set()
    for i, value in enumerate(curps):
        differentiator = int(homoclave[i])
        while value in seen:
            differentiator += 1
            birth = born[i].astype(object)
            code = str(differentiator) if birth.year < 2000 else chr(ord("A") + differentiator)
            value = curp.build(first[i], second[i], given[i], birth, sex[i], state[i], code)
        seen.add(value)
        curps[i] = value
    return pl.DataFrame(
        {
            "persona": np.arange(count),
            "lugar": place,
            "sexo": sex,
            "primer_ap": first.astype(str),
            "segundo_ap": second.astype(str),
            "nombre": given.astype(str),
            "nacimiento": born,
            "edad": (age_days // 365).astype(np.int64),
            "edo_nac": [curp.CURP_STATE_BY_INEGI[s] for s in state],
            "curp": curps,
            "homonimo": np.isin(np.arange(count), homonyms),
        }
    )


def _zipf(n: int) -> np.ndarray:
    weights: np.ndarray = 1.0 / np.arange(1, n + 1) ** 0.8
    return weights / float(weights.sum())


def _choose(
    rng: np.random.Generator,
    people: pl.DataFrame,
    program: ProgramSpec,
    taken: np.ndarray,
    shared: float,
) -> np.ndarray:
    """Row → person indices for one roster: eligible people, some shared with earlier rosters,
    some listed twice (within-program duplicates)."""
    ages = people["edad"].to_numpy()
    eligible = (ages >= program.min_age) & (ages <= program.max_age)
    unique_rows = max(1, round(program.rows / 1.015))
    from_others = np.flatnonzero(eligible & taken)
    n_shared = min(len(from_others), round(unique_rows * shared))
    fresh_pool = np.flatnonzero(eligible & ~taken)
    if len(fresh_pool) < unique_rows - n_shared:
        fresh_pool = np.flatnonzero(~taken)  # not enough of the age group: take anyone free
    persons = np.concatenate([
        rng.choice(from_others, size=n_shared, replace=False)
        if n_shared
        else np.array([], dtype=np.int64),
        rng.choice(fresh_pool, size=unique_rows - n_shared, replace=False),
    ])  # fmt: skip
    repeats = rng.choice(persons, size=program.rows - len(persons), replace=True)
    rows = np.concatenate([persons, repeats])
    rng.shuffle(rows)
    return rows


def _roster(
    rng: np.random.Generator,
    people: pl.DataFrame,
    places: pl.DataFrame,
    chosen: np.ndarray,
    program: ProgramSpec,
    config: SynthConfig,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(chosen)
    rows = people[chosen]
    loc = places[rows["lugar"].to_numpy()]
    rate = config.rates

    def pick(name: str) -> np.ndarray:
        return rng.random(n) < rate[name]

    seen = np.zeros(people.height, dtype=bool)
    duplicate = np.zeros(n, dtype=bool)
    for i, person in enumerate(chosen):  # the second listing of a person is the duplicate
        duplicate[i] = seen[person]
        seen[person] = True

    # True household point: the locality's point plus up to a few hundred metres.
    true_lon = loc["LON_DEC"].to_numpy() + rng.normal(0, 0.0015, n)
    true_lat = loc["LAT_DEC"].to_numpy() + rng.normal(0, 0.0015, n)
    errors = {name: np.zeros(n, dtype=bool) for name in ERRORS}
    errors["duplicado_interno"] = duplicate
    errors["homonimo"] = rows["homonimo"].to_numpy()

    first, second, given = rows["primer_ap"], rows["segundo_ap"], rows["nombre"]
    variant = pick("nombre_variante")
    errors["nombre_variante"] = variant
    kind = rng.integers(0, 6, n)
    first, second, given = _name_variants(first, second, given, variant, kind, rng)

    curp_text = rows["curp"]
    missing = pick("curp_faltante")
    typo = pick("curp_error_tipeo") & ~missing
    lower = pick("curp_minusculas") & ~missing & ~typo
    errors.update(curp_faltante=missing, curp_error_tipeo=typo, curp_minusculas=lower)
    curp_text = _curp_damage(curp_text, missing, typo, lower, rng)

    mun, locality = loc["MUN"], loc["LOC"]
    keys_missing = pick("claves_faltantes")
    keys_short = pick("claves_sin_ceros") & ~keys_missing
    errors.update(claves_faltantes=keys_missing, claves_sin_ceros=keys_short)
    cve_ent = pl.Series(["20"] * n).set(pl.Series(keys_missing), None)
    cve_mun = mun.zip_with(pl.Series(~keys_short), mun.str.strip_chars_start("0")).set(
        pl.Series(keys_missing), None
    )
    cve_loc = locality.zip_with(pl.Series(~keys_short), locality.str.strip_chars_start("0")).set(
        pl.Series(keys_missing), None
    )

    lon_text, lat_text = _coordinates(rng, places, loc, true_lon, true_lat, errors, rate)

    born = rows["nacimiento"]
    date_format = rng.integers(0, 3, n)
    birth_text = pl.select(
        pl.when(pl.lit(date_format) == 0).then(pl.lit(born).dt.strftime("%Y-%m-%d"))
        .when(pl.lit(date_format) == 1).then(pl.lit(born).dt.strftime("%d/%m/%Y"))
        .otherwise(pl.lit(born).dt.strftime("%Y%m%d"))
    ).to_series()  # fmt: skip
    sex_format = rng.integers(0, 5, n)
    sex = rows["sexo"]
    sex_text = pl.select(
        pl.when(pl.lit(sex_format) < 3).then(pl.lit(sex))
        .when(pl.lit(sex_format) == 3)
        .then(pl.when(pl.lit(sex) == "H").then(pl.lit("1")).otherwise(pl.lit("2")))
        .otherwise(pl.when(pl.lit(sex) == "H").then(pl.lit("HOMBRE")).otherwise(pl.lit("MUJER")))
    ).to_series()  # fmt: skip

    folio = [f"{program.code[:3]}-{program.period}-{i:07d}" for i in rng.permutation(n) + 1]
    street = np.array(STREETS)[rng.integers(0, len(STREETS), n)]
    known = rng.random(n) < 0.35
    roster = pl.DataFrame(
        {
            "ID_REGISTRO": folio,
            "CD_PROGRAMA": [program.code] * n,
            "PERIODO": [program.period] * n,
            "FH_ALTA": [f"{program.period}-01-15"] * n,
            "NB_PRIMER_AP": first,
            "NB_SEGUNDO_AP": second,
            "NB_NOMBRE": given,
            "FH_NACIMIENTO": birth_text,
            "CD_SEXO": sex_text,
            "CD_EDO_NAC": rows["edo_nac"],
            "NB_CURP": curp_text,
            "NU_IMP_MONETARIO": [program.amount] * n,
            "TIPOVIAL": np.where(known, "NINGUNO", "CALLE"),
            "NOMVIAL": np.where(known, "CONOCIDO", street),
            "NUMEXTNUM1": np.where(rng.random(n) < 0.5, "S/N", rng.integers(1, 400, n).astype(str)),
            "NUMEXTALF1": [""] * n,
            "NUMINTNUM": [""] * n,
            "TIPOASEN": np.where(rng.random(n) < 0.5, "BARRIO", "COLONIA"),
            "NOMASEN": np.where(rng.random(n) < 0.6, "CENTRO", "SAN JOSÉ"),
            "CP": (68000 + rng.integers(0, 3999, n)).astype(str),
            "CVE_ENT": cve_ent,
            "NOM_ENT": ["OAXACA"] * n,
            "CVE_MUN": cve_mun,
            "NOM_MUN": loc["NOM_MUN"].str.to_uppercase(),
            "CVE_LOC": cve_loc,
            "NOM_LOC": loc["NOM_LOC"].str.to_uppercase(),
            "DESCRUBIC": np.array(DESCRIPTIONS)[rng.integers(0, len(DESCRIPTIONS), n)],
            "LONGITUD": lon_text,
            "LATITUD": lat_text,
        }
    ).with_columns(pl.all().cast(pl.String))
    names = list(ERRORS)
    truth = (
        pl.DataFrame(
            {
                "programa": [program.code] * n,
                "folio": folio,
                "fila": np.arange(2, n + 2),
                "persona_verdadera": rows["persona"],
                "cvegeo_verdadero": loc["CVEGEO"],
                "lon_verdadera": np.round(true_lon, 6),
                "lat_verdadera": np.round(true_lat, 6),
                "curp_verdadera": rows["curp"],
                **{name: errors[name] for name in names},
            }
        )
        .with_columns(
            errores=pl.concat_str(
                [pl.when(pl.col(e)).then(pl.lit(e)) for e in names],
                separator=";",
                ignore_nulls=True,
            )
        )
        .drop(names)
    )
    return roster, truth


def _name_variants(
    first: pl.Series,
    second: pl.Series,
    given: pl.Series,
    variant: np.ndarray,
    kind: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Abbreviations, swapped or missing surnames, lost accents or Ñ, dropped particles, typos."""
    v = pl.Series(variant)
    k = pl.Series(kind)
    frame = pl.DataFrame({"a": first, "b": second, "c": given, "v": v, "k": k})
    plain = {"Á": "A", "É": "E", "Í": "I", "Ó": "O", "Ú": "U"}

    def strip_accents(expr: pl.Expr) -> pl.Expr:
        for accented, letter in plain.items():
            expr = expr.str.replace_all(accented, letter, literal=True)
        return expr

    out = frame.select(
        a=pl.when(pl.col("v") & (pl.col("k") == 1)).then(pl.col("b"))
        .when(pl.col("v") & (pl.col("k") == 3))
        .then(strip_accents(pl.col("a")).str.replace_all("Ñ", "N", literal=True))
        .when(pl.col("v") & (pl.col("k") == 4))
        .then(pl.col("a").str.replace(r"^DE (LA |LOS )?", ""))
        .otherwise(pl.col("a")),
        b=pl.when(pl.col("v") & (pl.col("k") == 1)).then(pl.col("a"))
        .when(pl.col("v") & (pl.col("k") == 2)).then(pl.lit(""))
        .when(pl.col("v") & (pl.col("k") == 3)).then(strip_accents(pl.col("b")))
        .otherwise(pl.col("b")),
        c=pl.when(pl.col("v") & (pl.col("k") == 0)).then(
            pl.col("c").str.replace(r"^MARÍA ", "MA. ").str.replace(r"^JOSÉ ", "J. ")
        )
        .when(pl.col("v") & (pl.col("k") == 3)).then(strip_accents(pl.col("c")))
        .otherwise(pl.col("c")),
    )  # fmt: skip
    # One-character typo in the given name.
    typo = variant & (kind == 5)
    given_list = out["c"].to_list()
    for i in np.flatnonzero(typo):
        name = given_list[i]
        if len(name) > 3:
            j = int(rng.integers(1, len(name) - 1))
            given_list[i] = name[:j] + "AEIOURSNL"[int(rng.integers(0, 9))] + name[j + 1 :]
    return out["a"], out["b"], pl.Series(given_list, dtype=pl.String)


def _curp_damage(
    value: pl.Series,
    missing: np.ndarray,
    typo: np.ndarray,
    lower: np.ndarray,
    rng: np.random.Generator,
) -> pl.Series:
    texts = value.to_list()
    for i in np.flatnonzero(typo):
        j = int(rng.integers(0, 18))
        pool = "0123456789" if texts[i][j].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        replacement = pool[int(rng.integers(0, len(pool)))]
        if replacement == texts[i][j]:
            replacement = pool[(pool.index(replacement) + 1) % len(pool)]
        texts[i] = texts[i][:j] + replacement + texts[i][j + 1 :]
    for i in np.flatnonzero(lower):
        texts[i] = texts[i].lower()
    for i in np.flatnonzero(missing):
        texts[i] = ""
    return pl.Series(texts, dtype=pl.String)


def _coordinates(
    rng: np.random.Generator,
    places: pl.DataFrame,
    loc: pl.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    errors: dict[str, np.ndarray],
    rate: dict[str, float],
) -> tuple[pl.Series, pl.Series]:
    n = len(lon)
    draw = rng.random((7, n))
    missing = draw[0] < rate["coord_faltante"]
    swapped = ~missing & (draw[1] < rate["coord_invertida"])
    sign = ~missing & ~swapped & (draw[2] < rate["coord_signo"])
    zero = ~missing & ~swapped & ~sign & (draw[3] < rate["coord_cero"])
    elsewhere = ~missing & ~swapped & ~sign & ~zero & (draw[4] < rate["coord_otro_municipio"])
    comma = ~missing & ~zero & (draw[5] < rate["coord_coma_decimal"])
    dms = ~missing & ~zero & ~comma & (draw[6] < rate["coord_dms"])
    errors.update(
        coord_faltante=missing, coord_invertida=swapped, coord_signo=sign, coord_cero=zero,
        coord_otro_municipio=elsewhere, coord_coma_decimal=comma, coord_dms=dms,
    )  # fmt: skip
    x, y = lon.copy(), lat.copy()
    # Another municipality's locality: pick localities until the municipality differs.
    other = rng.integers(0, places.height, n)
    same = places["MUN"].to_numpy()[other] == loc["MUN"].to_numpy()
    other[same] = (other[same] + 997) % places.height
    x[elsewhere] = places["LON_DEC"].to_numpy()[other[elsewhere]]
    y[elsewhere] = places["LAT_DEC"].to_numpy()[other[elsewhere]]
    x[swapped], y[swapped] = lat[swapped], lon[swapped]
    x[sign] = -x[sign]
    x[zero], y[zero] = 0.0, 0.0
    lon_text: list[str | None] = [f"{v:.6f}" for v in x]
    lat_text: list[str | None] = [f"{v:.6f}" for v in y]
    for i in np.flatnonzero(comma):
        lon_text[i] = f"{x[i]:.6f}".replace(".", ",")
        lat_text[i] = f"{y[i]:.6f}".replace(".", ",")
    for i in np.flatnonzero(dms):
        lon_text[i], lat_text[i] = _dms(x[i], "W", "E"), _dms(y[i], "S", "N")
    for i in np.flatnonzero(missing):
        lon_text[i] = lat_text[i] = None
    return pl.Series(lon_text, dtype=pl.String), pl.Series(lat_text, dtype=pl.String)


def _dms(value: float, negative: str, positive: str) -> str:
    hemisphere = negative if value < 0 else positive
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes:02d}'{seconds:06.3f}\" {hemisphere}"
