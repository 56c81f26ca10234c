"""Synthetic rosters in the PUB layout over the real Oaxaca localities, with ground truth.

People are placed in the 10,723 ITER 2020 localities in proportion to census population, get
frequency-weighted Mexican names, birth dates fitting their benefit (ages drawn from Oaxaca's 2020
age pyramid) and valid CURPs from :func:`geo.kernel.curp.build`; then each roster row is damaged the
way real rosters are (name variants, missing and mistyped CURPs, lost key zeros, bad coordinates,
mixed formats) and every damage is written to ``verdad.csv``. The population is kept as compact
numpy arrays; rows are written in chunks. Deterministic by seed: the same configuration writes byte-
identical files (XLSX included: its zip timestamps are fixed).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
import polars as pl

from geo.kernel import curp
from geo.kernel.errors import InvalidParameter
from geo.kernel.progress import Progress, silent

# -- vocabularies ------------------------------------------------------------------------------

SURNAMES: tuple[str, ...] = tuple(
    (
        "HERNÁNDEZ,LÓPEZ,GARCÍA,MARTÍNEZ,PÉREZ,CRUZ,SANTIAGO,JOSÉ,RAMÍREZ,JIMÉNEZ,RUIZ,GÓMEZ,"
        "MENDOZA,SÁNCHEZ,VÁSQUEZ,GONZÁLEZ,DÍAZ,REYES,MORALES,LUNA,JUÁREZ,TORRES,RAMOS,ORTIZ,"
        "CASTILLO,VARGAS,AGUILAR,CHÁVEZ,GUTIÉRREZ,ROJAS,SALINAS,MATÍAS,FLORES,ROBLES,BAUTISTA,"
        "MIGUEL,ANTONIO,DE LA CRUZ,ALVARADO,CORTÉS,ZÁRATE,MORENO,RODRÍGUEZ,VELASCO,CERVANTES,"
        "ROSALES,AQUINO,CABRERA,VICENTE,CARRASCO,JARQUÍN,MARTÍN,PACHECO,SOSA,LEYVA,NAVARRO,"
        "OROZCO,GUZMÁN,RÍOS,MEJÍA,AVENDAÑO,NÚÑEZ,MUÑOZ,ESCAMILLA,ACEVEDO,ALONSO,BARRIOS,CANSECO,"
        "DOMÍNGUEZ,ESTRADA,FIGUEROA,GARNICA,HIPÓLITO,ISIDRO,JACINTO,LAGUNAS,MONTESINOS,NOLASCO,"
        "OLIVERA,PINACHO,QUERO,REGINO,SIBAJA,TOLEDO,URIETA,VELÁSQUEZ,YESCAS,ZAVALETA,OSORIO,"
        "ALTAMIRANO,DE JESÚS,IBÁÑEZ,PEÑA,PATIÑO,CASTAÑEDA,ORDÓÑEZ,MONTAÑO,ZÚÑIGA,DEL VALLE,"
        "DE LOS SANTOS,DE LEÓN,DE LA ROSA,DEL ÁNGEL,FELIPE,MANUEL,PABLO,LUIS,NICOLÁS,BARTOLO,"
        "FABIÁN,GABRIEL,SILVA,CASTRO,ROMERO,HERRERA,MEDINA,AGUIRRE,CONTRERAS,MÉNDEZ,GUERRERO,"
        "ESPINOZA,SALAZAR,BENÍTEZ,CARRILLO,VEGA,LEÓN,SOLANO,ARAGÓN,SORIANO,TAPIA,BLAS,GALINDO,"
        "LARA,MAYORAL,ACOSTA,CANO,PALACIOS,SOLÍS,MOLINA,TRUJILLO,FERIA,VILLANUEVA,CAMACHO,"
        "ARELLANES,BOLAÑOS,SEGURA,AYALA,VILLEGAS,OCAÑA,BRISEÑO,CELAYA,GIJÓN,HERAS,ROSAS,MATUS,"
        "REGALADO,SANTOS,VENTURA,GIL,NOYOLA"
    ).split(",")
)
"""Surnames, most frequent first (Zipf weights); particles (DE LA CRUZ) and Ñ (MUÑOZ) included."""

GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "M": tuple(
        (
            "MARÍA,MARÍA GUADALUPE,JUANA,ROSA,MARGARITA,FRANCISCA,ANA MARÍA,ELENA,JOSEFINA,"
            "MARÍA DE LOS ÁNGELES,TERESA,LETICIA,PATRICIA,GUADALUPE,ESPERANZA,CARMEN,SOFÍA,REYNA,"
            "ISABEL,ALICIA,LUCÍA,EUGENIA,CATALINA,VIRGINIA,ANTONIA,GABRIELA,YOLANDA,MARÍA LUISA,"
            "MARÍA ELENA,BEATRIZ,IRMA,SILVIA,AURORA,NOEMÍ,ROCÍO,XÓCHITL,ITZEL,CITLALI,FLOR,"
            "MARISOL,ADELA,ÁNGELA,CONCEPCIÓN,PETRONILA,FAUSTINA,MAGDALENA,ROSALBA,VERÓNICA,NANCY,"
            "ARACELI,LIZBETH,DANIELA,FERNANDA,VALERIA,XIMENA,MARÍA DEL CARMEN,MARÍA ISABEL,"
            "MARÍA TERESA,MARÍA CONCEPCIÓN,MARÍA DE JESÚS,MARÍA CRISTINA,MARÍA FÉLIX,MARTHA,LAURA,"
            "ELVIA,EVA,GLORIA,HORTENSIA,ISAURA,JULIA,LORENA,LUZ MARÍA,MIRIAM,NORMA,OFELIA,PAULINA,"
            "RUTH,SARA,TOMASA,VICTORIA,ZENAIDA,ABIGAIL,ALEJANDRA,ANDREA,BLANCA,CECILIA,CLAUDIA,"
            "DOLORES,EDITH,ELIZABETH,ESTELA,FABIOLA,GRACIELA,HILDA,INÉS,JAZMÍN,KARINA,LILIANA,"
            "LOURDES,MAGALI,MARIBEL,MÓNICA,NATALIA,OLGA,PAOLA,RAQUEL,REBECA,SANDRA,SUSANA,TANIA,"
            "ÚRSULA,VIRIDIANA,YESENIA,ZOILA,AMALIA,BERTHA,CANDELARIA,DOMINGA,EPIFANIA,FELIPA,"
            "GENOVEVA,HERMELINDA,IGNACIA,JOSEFA,LEONOR,MACRINA,NICOLASA,OTILIA,PASCUALA,RUFINA,"
            "SEVERIANA,TRINIDAD,VALENTINA,WENDY,YADIRA,ÁNGELES,ALMA,ANA LAURA,BRENDA,CAROLINA,"
            "DIANA,EMILIA,ESTHER,FELÍCITAS,GUILLERMINA,IRENE,MARÍA JOSÉ,MAYRA,NAYELI,PERLA,ROSARIO,"
            "SOLEDAD,MARIANA,ANA KAREN"
        ).split(",")
    ),
    "H": tuple(
        (
            "JOSÉ,JUAN,PEDRO,FRANCISCO,JOSÉ LUIS,JUAN CARLOS,MIGUEL,ANTONIO,JESÚS,MANUEL,"
            "ALEJANDRO,RAFAEL,ROBERTO,FERNANDO,MARIO,ENRIQUE,JORGE,RICARDO,SERGIO,ARTURO,"
            "JOSÉ ANTONIO,MIGUEL ÁNGEL,JUAN PABLO,FELIPE,ISIDRO,MAXIMINO,EMILIANO,ABEL,ALBERTO,"
            "ANDRÉS,BENITO,CELESTINO,DOMINGO,EFRAÍN,FAUSTINO,GILBERTO,HÉCTOR,IGNACIO,JAVIER,"
            "LORENZO,MARCOS,NICOLÁS,OMAR,PABLO,RAÚL,SALVADOR,TOMÁS,URIEL,VÍCTOR,DAVID,DANIEL,LUIS,"
            "CARLOS,EDUARDO,HUGO,ISRAEL,ÁNGEL,OSCAR,JOSÉ MANUEL,JOSÉ JUAN,JOSÉ ALFREDO,"
            "JOSÉ GUADALUPE,JOSÉ DE JESÚS,JUAN JOSÉ,JUAN MANUEL,LUIS ALBERTO,ADRIÁN,AGUSTÍN,"
            "ALFREDO,ÁLVARO,AMADO,ARMANDO,AURELIO,BALTAZAR,BARTOLO,BERNARDO,CIRILO,CRISTIAN,"
            "CRISTÓBAL,EDGAR,ELÍAS,EMILIO,ERNESTO,ESTEBAN,EUSEBIO,EZEQUIEL,FABIÁN,FELICIANO,FIDEL,"
            "FLORENTINO,GABRIEL,GERARDO,GONZALO,GREGORIO,GUILLERMO,HERIBERTO,HILARIO,HUMBERTO,"
            "JACINTO,JAIME,JERÓNIMO,JOAQUÍN,JULIÁN,JULIO,LEONARDO,LUCIANO,MARCELINO,MARTÍN,MATEO,"
            "MAURICIO,MOISÉS,NOÉ,OCTAVIO,ORLANDO,PASCUAL,PORFIRIO,RAMIRO,RAMÓN,REYNALDO,RODOLFO,"
            "RUBÉN,SABINO,SAMUEL,SANTIAGO,SEBASTIÁN,SILVERIO,TEODORO,TIBURCIO,VALENTÍN,VICENTE,"
            "ZACARÍAS,ÁNGEL GABRIEL,BRAYAN,KEVIN,DIEGO,EMMANUEL,IVÁN,JONATHAN,LUIS ÁNGEL,ALAN,"
            "ABRAHAM,CÉSAR,RIGOBERTO,ROGELIO,SAÚL,ULISES,ELEAZAR,FRANCISCO JAVIER,JOSÉ MARÍA,"
            "MARIO ALBERTO,NÉSTOR"
        ).split(",")
    ),
}
"""Given names by sex, most frequent first; compound ones test the CURP's MARÍA/JOSÉ rule."""

BIRTH_STATES: dict[str, float] = {
    "20": 0.95, "21": 0.012, "30": 0.012, "07": 0.008, "12": 0.006, "09": 0.007, "15": 0.005,
}  # fmt: skip
"""INEGI state of birth → probability (Oaxaca and its neighbours)."""

ROAD_TYPES = ("CALLE", "AVENIDA", "CERRADA", "PRIVADA", "ANDADOR", "CAMINO", "CARRETERA")
STREETS = (
    "HIDALGO", "MORELOS", "BENITO JUÁREZ", "INDEPENDENCIA", "5 DE MAYO", "16 DE SEPTIEMBRE",
    "REFORMA", "ALLENDE", "GUERRERO", "MATAMOROS", "LIBERTAD", "EL ROSARIO", "LAS FLORES",
    "PROGRESO", "EMILIANO ZAPATA", "MIGUEL HIDALGO", "PORFIRIO DÍAZ", "NIÑOS HÉROES",
    "20 DE NOVIEMBRE", "FLORES MAGÓN", "MACEDONIO ALCALÁ", "SABINOS", "FRESNOS", "DEL PANTEÓN",
)  # fmt: skip
HIGHWAYS = (
    "FEDERAL 190", "FEDERAL 175", "FEDERAL 200", "FEDERAL 131", "FEDERAL 135",
    "OAXACA-PUERTO ÁNGEL", "TUXTEPEC-PALOMARES", "A LA CABECERA",
)  # fmt: skip
SETTLEMENT_TYPES = ("BARRIO", "COLONIA", "CENTRO", "SECCIÓN", "PARAJE", "FRACCIONAMIENTO")
SETTLEMENTS = (
    "CENTRO", "EL CALVARIO", "SAN JOSÉ", "LA SOLEDAD", "GUADALUPE", "SAN ANTONIO", "LOS PINOS",
    "PRIMERA SECCIÓN", "SEGUNDA SECCIÓN", "EL CARMEN", "REFORMA", "EMILIANO ZAPATA", "AMÉRICA",
    "JALATLACO", "XOCHIMILCO", "LA PASTORA", "EL MIRADOR", "LAS PEÑAS",
)  # fmt: skip
DESCRIPTIONS = (
    "FRENTE A LA IGLESIA", "A UN COSTADO DE LA AGENCIA", "CERCA DE LA ESCUELA",
    "JUNTO AL PANTEÓN", "CASA DE ADOBE", "ENTRADA DEL PUEBLO", "ATRÁS DEL PALACIO MUNICIPAL",
    "POR LA CANCHA", "A UN LADO DEL CENTRO DE SALUD", "", "", "",
)  # fmt: skip

COLUMNS: tuple[str, ...] = (
    "ID_REGISTRO", "CD_PROGRAMA", "CD_INTRAPROGRAMA", "NB_SUBPROGRAMA", "PERIODO", "FH_ALTA",
    "NB_PRIMER_AP", "NB_SEGUNDO_AP", "NB_NOMBRE", "FH_NACIMIENTO", "CD_SEXO", "CD_EDO_NAC",
    "NB_CURP", "NU_IMP_MONETARIO", "TIPOVIAL", "NOMVIAL", "NUMEXTNUM1", "NUMEXTALF1", "NUMINTNUM",
    "NUMINTALF", "TIPOASEN", "NOMASEN", "CP", "CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN",
    "CVE_LOC", "NOM_LOC", "DESCRUBIC", "LONGITUD", "LATITUD",
)  # fmt: skip
"""Roster columns (PUB "Persona" names) in their default order."""

TRUTH_COLUMNS = (
    "archivo", "programa", "folio", "fila", "persona_verdadera", "cvegeo_verdadero",
    "lon_verdadera", "lat_verdadera", "curp_verdadera", "errores",
)  # fmt: skip
"""Columns of ``verdad.csv``."""

ERRORS: tuple[str, ...] = (
    "nombre_variante", "curp_faltante", "curp_error_tipeo", "curp_minusculas", "claves_faltantes",
    "claves_sin_ceros", "nombre_lugar_variante", "coord_faltante", "coord_invertida",
    "coord_signo", "coord_cero", "coord_otro_municipio", "coord_coma_decimal", "coord_dms",
    "duplicado_interno", "homonimo",
)  # fmt: skip
"""Names recorded in ``verdad.csv`` (``errores``, separated by ``;``), in this order."""

DEFAULT_RATES: dict[str, float] = {
    "duplicado_interno": 0.015,
    "homonimo": 0.002,
    "nombre_variante": 0.10,
    "curp_faltante": 0.08,
    "curp_error_tipeo": 0.02,
    "curp_minusculas": 0.01,
    "claves_faltantes": 0.05,
    "claves_sin_ceros": 0.05,
    "nombre_lugar_variante": 0.05,
    "coord_faltante": 0.20,
    "coord_invertida": 0.01,
    "coord_signo": 0.01,
    "coord_cero": 0.005,
    "coord_otro_municipio": 0.01,
    "coord_coma_decimal": 0.02,
    "coord_dms": 0.01,
}
"""Default rates: fractions of roster rows, except ``homonimo`` (fraction of generated people
made deliberate homonyms of another, in pairs)."""

ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1"})
DELIMITERS = frozenset({",", "|", "\t", ";"})
SEED_SIZES = (1_598_672, 2_223_143)
"""Oaxaca's real roster sizes (state Bienestar, federal SEDESOL), 2011–2016."""

_EPOCH = dt.date(1970, 1, 1)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTS = {"Á": "A", "É": "E", "Í": "I", "Ó": "O", "Ú": "U", "Ü": "U"}


# -- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Benefit:
    """A subprogram of a roster (``CD_INTRAPROGRAMA``): who is eligible and what it pays."""

    code: str
    name: str
    share: float
    """Fraction of the roster's rows."""
    min_age: int
    max_age: int
    """Ages (whole years on 31 December of the period) eligible, inclusive."""
    amount: float
    """``NU_IMP_MONETARIO`` per period, in pesos."""
    sex: str | None = None
    """``H`` or ``M`` for a single-sex benefit; None for both (census proportions)."""


@dataclass(frozen=True)
class ProgramSpec:
    """One roster file."""

    code: str
    """``CD_PROGRAMA`` of every row (the ingest compares it with the load's program)."""
    rows: int
    benefits: tuple[Benefit, ...]
    periods: tuple[str, ...] = ("2016",)
    """``PERIODO`` values (years); rows are spread evenly among them."""
    encoding: str = "utf-8"
    """utf-8, utf-8-sig, cp1252 or latin-1 (unencodable characters become ``?``)."""
    delimiter: str = ","
    xlsx: bool = False
    """Write an XLSX workbook instead of a delimited file (meant for small sizes)."""
    shuffle_columns: bool = False
    """Write the columns in a seeded random order instead of :data:`COLUMNS`."""

    @property
    def period(self) -> str:
        """The latest period."""
        return max(self.periods)

    @property
    def file_name(self) -> str:
        """The roster's file name."""
        return f"padron_{self.code.lower()}.{'xlsx' if self.xlsx else 'csv'}"


STATE_BENEFITS = (
    Benefit("BIEN-AM", "APOYO A ADULTOS MAYORES", 0.25, 65, 100, 600.0),
    Benefit("BIEN-MJ", "MUJERES JEFAS DE FAMILIA", 0.30, 18, 64, 1000.0, "M"),
    Benefit("BIEN-BE", "BECAS ESCOLARES", 0.30, 6, 17, 400.0),
    Benefit("BIEN-DI", "PERSONAS CON DISCAPACIDAD", 0.15, 0, 100, 1500.0),
)
"""Default subprograms of the state ``BIENESTAR`` roster."""

FEDERAL_BENEFITS = (
    Benefit("PAM", "PENSION PARA ADULTOS MAYORES", 0.15, 65, 100, 1160.0),
    Benefit("PROSPERA", "PROSPERA PROGRAMA DE INCLUSION SOCIAL", 0.80, 0, 64, 850.0),
    Benefit("PEI", "ESTANCIAS INFANTILES PARA MADRES TRABAJADORAS", 0.05, 18, 45, 900.0, "M"),
)
"""Default subprograms of the federal ``SEDESOL`` roster."""


@dataclass(frozen=True)
class SynthConfig:
    """What to generate. Rates: see :data:`DEFAULT_RATES` (missing keys take the default)."""

    seed: int = 2016
    programs: tuple[ProgramSpec, ...] = (
        ProgramSpec("BIENESTAR", 20_000, STATE_BENEFITS, ("2016",), "utf-8", ","),
        ProgramSpec("SEDESOL", 28_000, FEDERAL_BENEFITS, ("2016",), "cp1252", "|"),
    )
    shared: float = 0.35
    """Fraction of each later roster's distinct people taken from earlier rosters (when enough
    of them are eligible)."""
    rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    chunk_rows: int = 100_000
    """Rows generated and written at a time (changing it changes the random draws)."""

    def rate(self, name: str) -> float:
        """The configured rate of an error."""
        return self.rates.get(name, DEFAULT_RATES[name])

    @classmethod
    def seed_sized(cls, scale: float = 1.0, seed: int = 2016) -> SynthConfig:
        """Oaxaca's real sizes: 1,598,672 state (Bienestar) and 2,223,143 federal rows, scaled."""
        if not 0 < scale <= 1:
            raise InvalidParameter("La escala debe estar entre 0 y 1.")
        base = cls()
        programs = tuple(
            replace(p, rows=max(1, round(n * scale)))
            for p, n in zip(base.programs, SEED_SIZES, strict=True)
        )
        return cls(seed=seed, programs=programs)


@dataclass(frozen=True)
class SynthSummary:
    """What was written."""

    files: dict[str, int]
    """Roster file name → rows."""
    people: int
    """Distinct persons across the rosters."""
    truth: Path
    paths: tuple[Path, ...] = ()
    """Roster paths, in program order."""


# -- places and people -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    cvegeo: pl.Series
    mun: np.ndarray
    mun_text: pl.Series
    loc_text: pl.Series
    nom_mun: pl.Series
    nom_loc: pl.Series
    lon: np.ndarray
    lat: np.ndarray
    pop: np.ndarray
    age_weights: np.ndarray
    """Census persons by single year of age 0–100 (rows) and sex (column 0 H, 1 M)."""


def _load_places(data_dir: Path) -> _Places:
    path = data_dir / "oaxaca_iter2020_localidades.csv"
    if not path.exists():
        raise InvalidParameter(f"No se encuentra {path} (PADRON_DATA_DIR).")
    frame = pl.read_csv(path, infer_schema=False)
    local = frame.filter(~pl.col("LOC").is_in(["0000", "9998", "9999"])).with_columns(
        pl.col("POBTOT").cast(pl.Int64, strict=False).fill_null(0),
        pl.col("LON_DEC").cast(pl.Float64),
        pl.col("LAT_DEC").cast(pl.Float64),
    )
    total = frame.filter((pl.col("MUN") == "000") & (pl.col("LOC") == "0000")).row(0, named=True)
    return _Places(
        cvegeo=local["CVEGEO"],
        mun=local["MUN"].cast(pl.Int32).to_numpy(),
        mun_text=local["MUN"],
        loc_text=local["LOC"],
        nom_mun=local["NOM_MUN"].str.to_uppercase(),
        nom_loc=local["NOM_LOC"].str.to_uppercase(),
        lon=local["LON_DEC"].to_numpy(),
        lat=local["LAT_DEC"].to_numpy(),
        pop=local["POBTOT"].to_numpy(),
        age_weights=_age_weights(total),
    )


def _age_weights(total: dict[str, str]) -> np.ndarray:
    """Single-year weights from the state's five-year bins; 85+ spread over 85–100, decaying."""
    weights = np.zeros((101, 2))
    for column, sex in ((0, "M"), (1, "F")):  # INEGI: _M masculino (H), _F femenino (M)
        for start in range(0, 85, 5):
            weights[start : start + 5, column] = int(total[f"P_{start}A{start + 4}_{sex}"]) / 5
        tail = 0.8 ** np.arange(16)
        weights[85:, column] = int(total[f"P_85YMAS_{sex}"]) * tail / tail.sum()
    return weights


class _People:
    """The population as parallel numpy arrays (one entry per person)."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self._joined: dict[str, np.ndarray] | None = None

    def add(self, part: dict[str, np.ndarray]) -> None:
        self.parts.append(part)
        self._joined = None

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        if self._joined is None:
            keys = ("place", "sex", "birth", "first", "second", "given", "state")
            self._joined = {
                k: np.concatenate([p[k] for p in self.parts]) if self.parts else np.zeros(0)
                for k in keys
            }
        return self._joined

    @property
    def size(self) -> int:
        return sum(len(p["place"]) for p in self.parts)


def _zipf(n: int, exponent: float) -> np.ndarray:
    weights: np.ndarray = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / float(weights.sum())


_SURNAME_P = _zipf(len(SURNAMES), 0.6)
_GIVEN_P = {sex: _zipf(len(names), 0.7) for sex, names in GIVEN_NAMES.items()}


def _new_people(
    rng: np.random.Generator,
    places: _Places,
    benefit: Benefit,
    year: int,
    count: int,
    homonyms: float,
) -> dict[str, np.ndarray]:
    """``count`` new persons eligible for ``benefit`` in ``year``; some deliberate homonym pairs."""
    weights = places.age_weights[benefit.min_age : benefit.max_age + 1].copy()
    if benefit.sex is not None:
        weights[:, 1 if benefit.sex == "H" else 0] = 0
    flat = weights.ravel() / weights.sum()
    cell = rng.choice(flat.size, size=count, p=flat)
    age = benefit.min_age + cell // 2
    sex = (cell % 2).astype(np.int8)  # 0 = H (hombre), 1 = M (mujer)
    year_start = np.array(
        [(dt.date(year - a, 1, 1) - _EPOCH).days for a in range(101)], dtype=np.int64
    )
    leap = np.array([366 if (year - a) % 4 == 0 else 365 for a in range(101)])
    birth = year_start[age] + (rng.random(count) * leap[age]).astype(np.int64)
    state_codes = np.array([int(k) for k in BIRTH_STATES], dtype=np.int8)
    state_p = np.array(list(BIRTH_STATES.values()))
    given = np.empty(count, dtype=np.int16)
    for code, key in ((1, "M"), (0, "H")):
        mask = sex == code
        given[mask] = rng.choice(len(GIVEN_NAMES[key]), size=int(mask.sum()), p=_GIVEN_P[key])
    part = {
        "place": rng.choice(len(places.pop), size=count, p=places.pop / places.pop.sum()),
        "sex": sex,
        "birth": birth,
        "first": rng.choice(len(SURNAMES), size=count, p=_SURNAME_P).astype(np.int16),
        "second": rng.choice(len(SURNAMES), size=count, p=_SURNAME_P).astype(np.int16),
        "given": given,
        "state": state_codes[rng.choice(len(state_p), size=count, p=state_p / state_p.sum())],
    }
    pairs = min(count // 2, round(count * homonyms / 2))
    if pairs:
        chosen = rng.choice(count, size=2 * pairs, replace=False)
        copy, source = chosen[:pairs], chosen[pairs:]
        for key in ("sex", "birth", "first", "second", "given", "state"):
            part[key][copy] = part[key][source]
    return part


def _curps(people: dict[str, np.ndarray], chunk: int) -> tuple[pl.Series, np.ndarray]:
    """Every person's CURP (distinct: RENAPO's homonym differentiator) and homonym flags."""
    n = len(people["place"])
    parts = []
    for start in range(0, n, chunk):
        parts.append(pl.Series(_build(people, np.arange(start, min(n, start + chunk)), None)))
    values = pl.concat(parts) if parts else pl.Series([], dtype=pl.String)
    rank = (
        pl.DataFrame({"p": values.str.slice(0, 16)})
        .select(pl.int_range(pl.len()).over("p"))
        .to_series()
        .to_numpy()
    )
    again = np.flatnonzero(rank > 0)
    if again.size:
        if rank.max() > 9:
            raise InvalidParameter("Demasiados homónimos con la misma CURP (más de 10).")
        fixed = _build(people, again, rank[again])
        values = values.scatter(again, fixed)
    if values.n_unique() != n:
        raise RuntimeError("CURP repetida en la población sintética.")
    keys = pl.DataFrame(
        {k: people[k] for k in ("first", "second", "given", "birth", "sex", "state")}
    )
    return values, keys.is_duplicated().to_numpy()


def _build(people: dict[str, np.ndarray], index: np.ndarray, rank: np.ndarray | None) -> list[str]:
    births = (np.datetime64("1970-01-01") + people["birth"][index].astype("timedelta64[D]")).astype(
        object
    )
    out = []
    for j, i in enumerate(index):
        born: dt.date = births[j]
        homoclave = None
        if rank is not None:
            r = int(rank[j])
            homoclave = str(r) if born.year < 2000 else _LETTERS[r]
        out.append(
            curp.build(
                SURNAMES[people["first"][i]],
                SURNAMES[people["second"][i]],
                GIVEN_NAMES["M" if people["sex"][i] else "H"][people["given"][i]],
                born,
                "M" if people["sex"][i] else "H",
                f"{int(people['state'][i]):02d}",
                homoclave,
            )
        )
    return out


# -- roster plans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    person: np.ndarray
    benefit: np.ndarray
    period: np.ndarray
    folio: np.ndarray
    duplicate: np.ndarray


def _split(total: int, shares: list[float]) -> list[int]:
    raw = np.array(shares) / sum(shares) * total
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    return [int(c) for c in counts]


def _plan(
    rng: np.random.Generator,
    program: ProgramSpec,
    people: _People,
    places: _Places,
    config: SynthConfig,
    first_program: bool,
) -> _Plan:
    """Which person (and benefit, period, folio) each row of a roster lists."""
    n = program.rows
    repeats = min(n - 1, round(n * config.rate("duplicado_interno")))
    counts = _split(n - repeats, [b.share for b in program.benefits])
    year = int(program.period[:4])
    earlier = people.arrays
    used = np.zeros(people.size, dtype=bool)
    persons, benefits = [], []
    for index, (spec, count) in enumerate(zip(program.benefits, counts, strict=True)):
        shared = np.zeros(0, dtype=np.int64)
        if not first_program and config.shared > 0 and people.size:
            born = earlier["birth"]
            eligible = (
                ~used
                & (born >= (dt.date(year - spec.max_age, 1, 1) - _EPOCH).days)
                & (born <= (dt.date(year - spec.min_age, 12, 31) - _EPOCH).days)
            )
            if spec.sex is not None:
                eligible &= earlier["sex"] == (1 if spec.sex == "M" else 0)
            pool = np.flatnonzero(eligible)
            take = min(len(pool), round(count * config.shared))
            shared = np.sort(rng.choice(pool, size=take, replace=False))
            used[shared] = True
        start = people.size
        fresh = count - len(shared)
        people.add(_new_people(rng, places, spec, year, fresh, config.rate("homonimo")))
        persons += [shared, np.arange(start, start + fresh)]
        benefits.append(np.full(count, index, dtype=np.int8))
    unique_person = np.concatenate(persons)
    unique_benefit = np.concatenate(benefits)
    again = rng.choice(len(unique_person), size=repeats, replace=False)
    order = rng.permutation(n)
    person = np.concatenate([unique_person, unique_person[again]])[order]
    benefit = np.concatenate([unique_benefit, unique_benefit[again]])[order]
    first_seen = np.zeros(n, dtype=bool)
    first_seen[np.unique(person, return_index=True)[1]] = True
    return _Plan(
        person=person,
        benefit=benefit,
        period=(np.arange(n) * len(program.periods) // n).astype(np.int8)[rng.permutation(n)],
        folio=rng.permutation(n) + 1,
        duplicate=~first_seen,
    )


# -- generation --------------------------------------------------------------------------------


def generate(
    data_dir: Path, out_dir: Path, config: SynthConfig, progress: Progress | None = None
) -> SynthSummary:
    """Write one roster per program and ``verdad.csv`` into ``out_dir``; ``progress`` is told
    the rows written."""
    _check(config)
    tell, total, written = progress or silent, sum(p.rows for p in config.programs), 0
    tell("Padrones sintéticos", 0, total, "filas")

    def wrote(rows: int) -> None:
        nonlocal written
        written += rows
        tell("Padrones sintéticos", written, total, "filas")

    places = _load_places(data_dir)
    people = _People()
    plans = [
        _plan(np.random.default_rng([config.seed, 1, i]), p, people, places, config, i == 0)
        for i, p in enumerate(config.programs)
    ]
    population = people.arrays
    curps, homonym = _curps(population, config.chunk_rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_path = out_dir / "verdad.csv"
    files: dict[str, int] = {}
    paths = []
    with truth_path.open("w", encoding="utf-8", newline="") as truth_file:
        truth_file.write(",".join(TRUTH_COLUMNS) + "\n")
        for index, (program, plan) in enumerate(zip(config.programs, plans, strict=True)):
            path = out_dir / program.file_name
            columns = list(COLUMNS)
            if program.shuffle_columns:
                order = np.random.default_rng([config.seed, 2, index]).permutation(len(columns))
                columns = [columns[i] for i in order]
            chunks = _chunks(
                config, index, program, plan, population, curps, homonym, places, wrote
            )
            if program.xlsx:
                _write_xlsx(path, columns, chunks, truth_file)
            else:
                _write_csv(path, program, columns, chunks, truth_file)
            files[path.name] = program.rows
            paths.append(path)
    return SynthSummary(
        files=files,
        people=int(np.unique(np.concatenate([p.person for p in plans])).size),
        truth=truth_path,
        paths=tuple(paths),
    )


def _check(config: SynthConfig) -> None:
    names = [p.file_name for p in config.programs]
    if len(set(names)) != len(names) or not names:
        raise InvalidParameter("Cada programa necesita un código distinto.")
    unknown = set(config.rates) - set(DEFAULT_RATES)
    if unknown:
        raise InvalidParameter(f"Errores desconocidos: {', '.join(sorted(unknown))}.")
    for p in config.programs:
        if p.encoding not in ENCODINGS or p.delimiter not in DELIMITERS:
            raise InvalidParameter(f"{p.code}: codificación o delimitador no admitido.")
        if p.rows < 1 or not p.benefits or not p.periods:
            raise InvalidParameter(f"{p.code}: sin filas, beneficios o periodos.")
        for b in p.benefits:
            if not 0 <= b.min_age <= b.max_age <= 100 or b.sex not in {None, "H", "M"}:
                raise InvalidParameter(f"{p.code}/{b.code}: edades o sexo no válidos.")


def _write_csv(
    path: Path,
    program: ProgramSpec,
    columns: list[str],
    chunks: Iterator[tuple[pl.DataFrame, pl.DataFrame]],
    truth_file: IO[str],
) -> None:
    errors = "strict" if program.encoding.startswith("utf-8") else "replace"
    with path.open("w", encoding=program.encoding, errors=errors, newline="") as handle:
        header = True
        for roster, truth in chunks:
            handle.write(
                roster.select(columns).write_csv(
                    separator=program.delimiter, include_header=header, quote_style="necessary"
                )
            )
            truth_file.write(truth.write_csv(include_header=False))
            header = False


def _write_xlsx(
    path: Path,
    columns: list[str],
    chunks: Iterator[tuple[pl.DataFrame, pl.DataFrame]],
    truth_file: IO[str],
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("padron")
    sheet.append(columns)
    for roster, truth in chunks:
        for row in roster.select(columns).iter_rows():
            sheet.append(list(row))
        truth_file.write(truth.write_csv(include_header=False))
    book.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite an XLSX with fixed timestamps so that the same data give the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2016-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(name, date_time=(2016, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


def _chunks(
    config: SynthConfig,
    index: int,
    program: ProgramSpec,
    plan: _Plan,
    people: dict[str, np.ndarray],
    curps: pl.Series,
    homonym: np.ndarray,
    places: _Places,
    wrote: Callable[[int], None],
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Each chunk of a program's rows; ``wrote`` is told its size once it has been written."""
    for number, start in enumerate(range(0, program.rows, config.chunk_rows)):
        rows = slice(start, min(program.rows, start + config.chunk_rows))
        rng = np.random.default_rng([config.seed, 3, index, number])
        yield _rows(rng, config, program, plan, rows, people, curps, homonym, places)
        wrote(rows.stop - rows.start)


# -- one chunk of rows -------------------------------------------------------------------------


def _rows(
    rng: np.random.Generator,
    config: SynthConfig,
    program: ProgramSpec,
    plan: _Plan,
    rows: slice,
    people: dict[str, np.ndarray],
    curps: pl.Series,
    homonym: np.ndarray,
    places: _Places,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    person = plan.person[rows]
    n = len(person)
    place = people["place"][person]
    sex = people["sex"][person]

    def pick(name: str) -> np.ndarray:
        return rng.random(n) < config.rate(name)

    errors: dict[str, np.ndarray] = {name: np.zeros(n, dtype=bool) for name in ERRORS}
    errors["duplicado_interno"] = plan.duplicate[rows]
    errors["homonimo"] = homonym[person]

    # Household point: the locality point plus normal noise whose spread grows with the
    # locality's population (sd 30 m + 3 m per √inhabitant, at most 800 m per axis).
    spread = np.minimum(800.0, 30.0 + 3.0 * np.sqrt(places.pop[place]))
    lat = places.lat[place] + rng.normal(0, 1, n) * spread / 111_320
    lon = places.lon[place] + rng.normal(0, 1, n) * spread / (111_320 * np.cos(np.radians(lat)))
    lon, lat = np.round(lon, 6), np.round(lat, 6)

    surnames = pl.Series(SURNAMES)
    first = surnames.gather(people["first"][person])
    second = surnames.gather(people["second"][person])
    women = pl.Series(GIVEN_NAMES["M"]).gather(np.where(sex == 1, people["given"][person], 0))
    men = pl.Series(GIVEN_NAMES["H"]).gather(np.where(sex == 0, people["given"][person], 0))
    given = women.zip_with(pl.Series(sex == 1), men)
    variant = pick("nombre_variante")
    errors["nombre_variante"] = variant
    first, second, given = _name_variants(rng, first, second, given, variant)

    true_curp = curps.gather(person)
    missing = pick("curp_faltante")
    typo = pick("curp_error_tipeo") & ~missing
    lower = pick("curp_minusculas") & ~missing & ~typo
    errors.update(curp_faltante=missing, curp_error_tipeo=typo, curp_minusculas=lower)
    curp_text = _curp_damage(rng, true_curp, missing, typo, lower)

    keys_missing = pick("claves_faltantes")
    keys_short = pick("claves_sin_ceros") & ~keys_missing
    mun = places.mun_text.gather(place)
    loc = places.loc_text.gather(place)
    keys_short &= (mun.str.starts_with("0") | loc.str.starts_with("0")).to_numpy()
    errors.update(claves_faltantes=keys_missing, claves_sin_ceros=keys_short)
    short = pl.Series(keys_short)
    gone = pl.Series(keys_missing)
    cve_ent = pl.Series(["20"] * n).set(gone, None)
    cve_mun = mun.str.strip_chars_start("0").zip_with(short, mun).set(gone, None)
    cve_loc = loc.str.strip_chars_start("0").zip_with(short, loc).set(gone, None)

    place_variant = pick("nombre_lugar_variante")
    errors["nombre_lugar_variante"] = place_variant
    nom_mun = places.nom_mun.gather(place)
    nom_loc = places.nom_loc.gather(place)
    nom_mun, nom_loc = _place_variants(nom_mun, nom_loc, place_variant)

    lon_text, lat_text = _coordinates(rng, config, places, place, lon, lat, errors)

    fmt = rng.integers(0, 3, n)
    birth = pl.Series(people["birth"][person]).cast(pl.Date)
    birth_text = _dates(birth, fmt)
    benefit = plan.benefit[rows]
    periods = pl.Series(program.periods).gather(plan.period[rows])
    year_start = np.array([(dt.date(int(p[:4]), 1, 1) - _EPOCH).days for p in program.periods])
    alta = year_start[plan.period[rows]] + rng.integers(0, 365, n)
    alta_text = _dates(pl.Series(alta).cast(pl.Date), fmt)
    sex_text = pl.Series(
        np.array(["H", "M", "1", "2", "HOMBRE", "MUJER", "H", "M"])[
            2 * rng.choice(4, size=n, p=[0.55, 0.15, 0.15, 0.15]) + sex
        ]
    )
    amount = np.array([b.amount for b in program.benefits])[benefit]
    folio = pl.Series([f"{program.code[:3]}{program.period[:4]}{f:08d}" for f in plan.folio[rows]])

    roster = pl.DataFrame(
        {
            "ID_REGISTRO": folio,
            "CD_PROGRAMA": [program.code] * n,
            "CD_INTRAPROGRAMA": pl.Series([b.code for b in program.benefits]).gather(benefit),
            "NB_SUBPROGRAMA": pl.Series([b.name for b in program.benefits]).gather(benefit),
            "PERIODO": periods,
            "FH_ALTA": alta_text,
            "NB_PRIMER_AP": first,
            "NB_SEGUNDO_AP": second,
            "NB_NOMBRE": given,
            "FH_NACIMIENTO": birth_text,
            "CD_SEXO": sex_text,
            "CD_EDO_NAC": pl.Series(
                [curp.CURP_STATE_BY_INEGI[f"{s:02d}"] for s in range(1, 33)]
            ).gather(people["state"][person].astype(np.int64) - 1),
            "NB_CURP": curp_text,
            "NU_IMP_MONETARIO": _amounts(rng, amount),
            **_address(rng, n, places, place),
            "CVE_ENT": cve_ent,
            "NOM_ENT": ["OAXACA"] * n,
            "CVE_MUN": cve_mun,
            "NOM_MUN": nom_mun,
            "CVE_LOC": cve_loc,
            "NOM_LOC": nom_loc,
            "DESCRUBIC": pl.Series(DESCRIPTIONS).gather(rng.integers(0, len(DESCRIPTIONS), n)),
            "LONGITUD": lon_text,
            "LATITUD": lat_text,
        }
    )
    # Empty text is written as an empty field, not as "".
    roster = roster.with_columns(pl.all().replace("", None))
    flags = pl.DataFrame({name: errors[name] for name in ERRORS})
    truth = pl.DataFrame(
        {
            "archivo": [program.file_name] * n,
            "programa": [program.code] * n,
            "folio": folio,
            "fila": np.arange(rows.start + 2, rows.start + 2 + n),
            "persona_verdadera": person,
            "cvegeo_verdadero": places.cvegeo.gather(place),
            "lon_verdadera": _fixed6(lon),
            "lat_verdadera": _fixed6(lat),
            "curp_verdadera": true_curp,
            "errores": flags.select(
                pl.concat_str(
                    [pl.when(pl.col(e)).then(pl.lit(e)) for e in ERRORS],
                    separator=";",
                    ignore_nulls=True,
                )
            )
            .to_series()
            .replace("", None),
        }
    )
    return roster, truth


def _dates(dates: pl.Series, fmt: np.ndarray) -> pl.Series:
    """ISO, dd/mm/yyyy or yyyymmdd, by row."""
    f = pl.Series(fmt)
    return (
        dates.dt.strftime("%Y-%m-%d")
        .zip_with(
            f == 0, dates.dt.strftime("%d/%m/%Y").zip_with(f == 1, dates.dt.strftime("%Y%m%d"))
        )
        .rename("")
    )


def _amounts(rng: np.random.Generator, amount: np.ndarray) -> pl.Series:
    """``1160.00``, ``1160``, ``$1,160.00`` or ``1,160.00``, by row."""
    cents = np.rint(amount * 100).astype(np.int64)
    whole = pl.Series(cents // 100).cast(pl.String)
    frac = pl.Series(cents % 100).cast(pl.String).str.zfill(2)
    thousands = whole.str.replace(r"^(\d+)(\d{3})$", "$1,$2")
    plain = whole + "." + frac
    grouped = thousands + "." + frac
    kind = pl.Series(rng.choice(4, size=len(amount), p=[0.55, 0.15, 0.15, 0.15]))
    return plain.zip_with(
        kind == 0, whole.zip_with(kind == 1, ("$" + grouped).zip_with(kind == 2, grouped))
    )


def _address(
    rng: np.random.Generator, n: int, places: _Places, place: np.ndarray
) -> dict[str, pl.Series]:
    """Street, number, settlement and postal code; small localities mostly "CONOCIDO"."""
    rural = places.pop[place] < 2_500
    known = rng.random(n) < np.where(rural, 0.6, 0.1)
    road = rng.integers(0, len(ROAD_TYPES), n)
    road_name = pl.Series(STREETS).gather(rng.integers(0, len(STREETS), n))
    highway = pl.Series(HIGHWAYS).gather(rng.integers(0, len(HIGHWAYS), n))
    is_highway = pl.Series(~known & (road == len(ROAD_TYPES) - 1))
    road_type = (
        pl.Series(ROAD_TYPES).gather(road).zip_with(pl.Series(~known), pl.Series(["NINGUNO"] * n))
    )
    street = highway.zip_with(is_highway, road_name).zip_with(
        pl.Series(~known), pl.Series(["CONOCIDO"] * n)
    )
    numbered = ~known & (rng.random(n) < 0.7)
    number = (
        pl.Series(rng.integers(1, 1200, n))
        .cast(pl.String)
        .zip_with(pl.Series(numbered), pl.Series(["S/N"] * n))
    )
    letter = pl.Series(["", "A", "B", "C"]).gather(
        np.where(numbered & (rng.random(n) < 0.08), rng.integers(1, 4, n), 0)
    )
    inner = numbered & (rng.random(n) < 0.05)
    inner_number = (
        pl.Series(rng.integers(1, 20, n))
        .cast(pl.String)
        .zip_with(pl.Series(inner), pl.Series([""] * n))
    )
    settlement = rng.integers(0, len(SETTLEMENT_TYPES), n)
    settlement_type = pl.Series(SETTLEMENT_TYPES).gather(settlement)
    settlement_name = pl.Series(SETTLEMENTS).gather(rng.integers(0, len(SETTLEMENTS), n))
    centre = pl.Series(settlement == 2)
    # Postal codes: a fixed plausible code per municipality (68000–71999, not SEPOMEX's), plus a
    # small settlement offset in towns.
    base = 68_000 + (places.mun[place].astype(np.int64) * 37 % 400) * 10
    cp = pl.Series(base + np.where(rural, 0, rng.integers(0, 10, n))).cast(pl.String)
    return {
        "TIPOVIAL": road_type,
        "NOMVIAL": street,
        "NUMEXTNUM1": number,
        "NUMEXTALF1": letter,
        "NUMINTNUM": inner_number,
        "NUMINTALF": pl.Series([""] * n),
        "TIPOASEN": settlement_type,
        "NOMASEN": pl.Series(["CENTRO"] * n).zip_with(centre, settlement_name),
        "CP": cp,
    }


def _strip_accents(series: pl.Series) -> pl.Series:
    for accented, letter in _ACCENTS.items():
        series = series.str.replace_all(accented, letter, literal=True)
    return series


def _name_variants(
    rng: np.random.Generator,
    first: pl.Series,
    second: pl.Series,
    given: pl.Series,
    variant: np.ndarray,
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """One variant per marked row; a row the variant would leave unchanged gets a typo instead.

    Kinds: 0 MA./J. abbreviation, 1 swapped surnames, 2 no second surname, 3 accents dropped,
    4 Ñ as N, NI, # or mangled bytes, 5 particle (DE LA, DEL...) dropped, 6 one-character typo,
    7 compound given name without its MARÍA/JOSÉ.
    """
    n = len(variant)
    kind = pl.Series(np.where(variant, rng.integers(0, 8, n), -1))
    enye = pl.Series(["N", "NI", "#", "Ã‘"]).gather(rng.integers(0, 4, n))
    frame = pl.DataFrame({"a": first, "b": second, "c": given, "k": kind, "e": enye})
    k = pl.col("k")

    def mangle(name: str) -> pl.Expr:
        return pl.col(name).str.replace_all("Ñ", pl.col("e"), literal=True)

    particle = r"^(DE LA|DE LOS|DE LAS|DEL|DE) "
    out = frame.select(
        a=pl.when(k == 1).then(pl.col("b"))
        .when(k == 3).then(_expr_strip("a"))
        .when(k == 4).then(mangle("a"))
        .when(k == 5).then(pl.col("a").str.replace(particle, ""))
        .otherwise(pl.col("a")),
        b=pl.when(k == 1).then(pl.col("a"))
        .when(k == 2).then(pl.lit(None, dtype=pl.String))
        .when(k == 3).then(_expr_strip("b"))
        .when(k == 4).then(mangle("b"))
        .when(k == 5).then(pl.col("b").str.replace(particle, ""))
        .otherwise(pl.col("b")),
        c=pl.when(k == 0).then(
            pl.col("c").str.replace(r"^MARÍA ", "MA. ").str.replace(r"^JOSÉ ", "J. ")
        )
        .when(k == 3).then(_expr_strip("c"))
        .when(k == 4).then(mangle("c"))
        .when(k == 7).then(pl.col("c").str.replace(r"^(MARÍA|JOSÉ) (DE (LOS |LA )?)?", ""))
        .otherwise(pl.col("c")),
    )  # fmt: skip
    unchanged = (
        (out["a"] == first) & (out["b"].fill_null("") == second) & (out["c"] == given)
    ).to_numpy() & variant
    if not unchanged.any():
        return out["a"], out["b"], out["c"]
    columns = [out["a"].to_list(), out["b"].to_list(), out["c"].to_list()]
    for i in np.flatnonzero(unchanged):
        which = int(rng.integers(0, 3))
        if len(columns[which][i] or "") < 4:
            which = 0
        text = columns[which][i]
        j = int(rng.integers(1, len(text) - 1))
        letters = "AEIOURSNLTCM".replace(text[j], "")
        columns[which][i] = text[:j] + letters[int(rng.integers(0, len(letters)))] + text[j + 1 :]
    return tuple(pl.Series(c, dtype=pl.String) for c in columns)  # type: ignore[return-value]


def _expr_strip(name: str) -> pl.Expr:
    expr = pl.col(name)
    for accented, letter in _ACCENTS.items():
        expr = expr.str.replace_all(accented, letter, literal=True)
    return expr


def _place_variants(
    nom_mun: pl.Series, nom_loc: pl.Series, variant: np.ndarray
) -> tuple[pl.Series, pl.Series]:
    """Abbreviated (STA., STO., STGO., S., H. CD.) names without accents; else INEGI's own case."""

    def abbreviate(series: pl.Series) -> pl.Series:
        for pattern, short in (
            (r"^HEROICA CIUDAD DE ", "H. CD. DE "), (r"^SANTA MARÍA ", "STA. MA. "),
            (r"^SANTA ", "STA. "), (r"^SANTO ", "STO. "), (r"^SANTIAGO ", "STGO. "),
            (r"^SAN ", "S. "),
        ):  # fmt: skip
            series = series.str.replace(pattern, short)
        return _strip_accents(series)

    v = pl.Series(variant)
    new_mun = abbreviate(nom_mun)
    new_loc = abbreviate(nom_loc)
    same = (new_mun == nom_mun) & (new_loc == nom_loc)
    new_loc = new_loc.zip_with(~same, nom_loc.str.to_titlecase())
    return new_mun.zip_with(v, nom_mun), new_loc.zip_with(v, nom_loc)


def _curp_damage(
    rng: np.random.Generator,
    value: pl.Series,
    missing: np.ndarray,
    typo: np.ndarray,
    lower: np.ndarray,
) -> pl.Series:
    """Missing (empty), lower case, or one character mistyped so that the check digit fails."""
    out = value.to_numpy().astype(object)
    for i in np.flatnonzero(typo):
        text = out[i]
        while True:
            j = int(rng.integers(0, 17))
            pool = "0123456789" if text[j].isdigit() else "HM" if j == 10 else _LETTERS
            candidate = text[:j] + pool[int(rng.integers(0, len(pool)))] + text[j + 1 :]
            if curp.check_digit(candidate[:17]) != candidate[17]:
                break
        out[i] = candidate
    for i in np.flatnonzero(lower):
        out[i] = out[i].lower()
    series = pl.Series(out, dtype=pl.String)
    return series.set(pl.Series(missing), None)


def _fixed6(values: np.ndarray) -> pl.Series:
    """Decimal degrees with exactly six decimals."""
    micro = np.rint(values * 1e6).astype(np.int64)
    whole = pl.Series(np.abs(micro) // 1_000_000).cast(pl.String)
    frac = pl.Series(np.abs(micro) % 1_000_000).cast(pl.String).str.zfill(6)
    sign = pl.Series(np.where(micro < 0, "-", ""))
    return sign + whole + "." + frac


def _coordinates(
    rng: np.random.Generator,
    config: SynthConfig,
    places: _Places,
    place: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    errors: dict[str, np.ndarray],
) -> tuple[pl.Series, pl.Series]:
    """Declared LONGITUD/LATITUD text with the configured coordinate errors."""
    n = len(lon)
    draw = rng.random((7, n))

    def rate(name: str) -> float:
        return config.rate(name)

    missing = draw[0] < rate("coord_faltante")
    zero = ~missing & (draw[1] < rate("coord_cero"))
    ok = ~missing & ~zero
    elsewhere = ok & (draw[2] < rate("coord_otro_municipio"))
    swapped = ok & (draw[3] < rate("coord_invertida"))
    sign = ok & ~swapped & (draw[4] < rate("coord_signo"))
    comma = ok & (draw[5] < rate("coord_coma_decimal"))
    dms = ok & ~comma & (draw[6] < rate("coord_dms"))
    errors.update(
        coord_faltante=missing, coord_invertida=swapped, coord_signo=sign, coord_cero=zero,
        coord_otro_municipio=elsewhere, coord_coma_decimal=comma, coord_dms=dms,
    )  # fmt: skip
    x, y = lon.copy(), lat.copy()
    # Another municipality's locality point (as when the seat's point is typed for everyone).
    other = rng.integers(0, len(places.pop), n)
    while (same := places.mun[other] == places.mun[place]).any():
        other[same] = (other[same] + 997) % len(places.pop)
    x[elsewhere] = np.round(places.lon[other[elsewhere]], 6)
    y[elsewhere] = np.round(places.lat[other[elsewhere]], 6)
    x[swapped], y[swapped] = y[swapped], x[swapped]
    x[sign] = -x[sign]
    x[zero], y[zero] = 0.0, 0.0
    lon_text, lat_text = _fixed6(x), _fixed6(y)
    c = pl.Series(comma)
    lon_text = lon_text.str.replace(".", ",", literal=True).zip_with(c, lon_text)
    lat_text = lat_text.str.replace(".", ",", literal=True).zip_with(c, lat_text)
    if dms.any():
        where = np.flatnonzero(dms)
        lon_text = lon_text.scatter(where, [_dms(x[i], "W", "E") for i in where])
        lat_text = lat_text.scatter(where, [_dms(y[i], "S", "N") for i in where])
    zeros = pl.Series(["0"] * n)
    lon_text = zeros.zip_with(pl.Series(zero), lon_text)
    lat_text = zeros.zip_with(pl.Series(zero), lat_text)
    gone = pl.Series(missing)
    return lon_text.set(gone, None), lat_text.set(gone, None)


def _dms(value: float, negative: str, positive: str) -> str:
    """Degrees, minutes and seconds (thousandths) with a hemisphere letter."""
    hemisphere = negative if value < 0 else positive
    total = round(abs(value) * 3_600_000)
    degrees, rest = divmod(total, 3_600_000)
    minutes, millis = divmod(rest, 60_000)
    return f"{degrees}°{minutes:02d}'{millis / 1000:06.3f}\" {hemisphere}"
