"""Turn a chunk of raw text rows into registry records with named flags and reject reasons.

The meaning of each field lives in the scalar functions of :mod:`geo.kernel.fields`,
:mod:`geo.kernel.names` and :mod:`geo.kernel.curp` (one implementation, tested value by value). Here
they are applied to whole columns through :func:`map_unique`: rosters repeat names, dates, keys and
amounts millions of times, so each distinct value is parsed once and the result broadcast by Polars.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

import numpy as np
import polars as pl

from geo.ingest.layouts import NAME_FIELDS
from geo.ingest.periods import PeriodWindow
from geo.ingest.reader import cell_column, cell_columns
from geo.ingest.tables import RAW_SEPARATOR
from geo.kernel import curp, names
from geo.kernel import fields as nz

NO_DATA = nz.NO_DATA
"""Cell values that mean "no data" in real rosters; they become NULL (the raw value is kept)."""

_NO_DATA_SPELLINGS = sorted(
    {spelling for value in NO_DATA for spelling in (value, value.lower(), value.title())}
)
"""The markers as they are written, so columns need no upper-casing to be compared."""

FLAGS = {
    "curp_faltante": "sin CURP",
    "curp_formato": "CURP sin la estructura de 18 caracteres",
    "curp_fecha": "la fecha dentro de la CURP no existe",
    "curp_estado": "clave de entidad de la CURP desconocida",
    "curp_check_digit": "dígito verificador de la CURP incorrecto (probable error de captura)",
    "curp_no_coincide_fecha": "la CURP no coincide con la fecha de nacimiento",
    "curp_no_coincide_sexo": "la CURP no coincide con el sexo",
    "nombre_incompleto": "falta el nombre o el primer apellido",
    "fecha_nacimiento_invalida": "fecha de nacimiento ilegible",
    "fecha_nacimiento_improbable": "fecha de nacimiento futura o anterior a 1900",
    "fecha_alta_invalida": "fecha de alta ilegible",
    "sexo_invalido": "sexo no reconocido",
    "edo_nac_invalido": "entidad de nacimiento no reconocida",
    "importe_invalido": "importe ilegible",
    "clave_ent_invalida": "clave de entidad ilegible",
    "clave_mun_invalida": "clave de municipio ilegible",
    "clave_loc_invalida": "clave de localidad ilegible",
    "claves_sin_ceros": "claves INEGI sin ceros a la izquierda (reparadas)",
    "cp_invalido": "código postal ilegible",
    "coord_formato": "coordenadas ilegibles",
    "programa_no_coincide": "CD_PROGRAMA distinto del programa de la carga",
    "bytes_nulos": "el renglón tenía bytes nulos o separadores de control (cambiados por espacios)",
}
"""Flags a loaded record can carry: the problem is named, the record is still usable."""

REJECTIONS = {
    "sin_folio": "sin ID_REGISTRO (folio)",
    "sin_nombre": "sin ningún nombre ni apellido legible (con al menos una letra)",
    "folio_repetido": "folio repetido dentro del mismo archivo",
    "folio_ya_cargado": "folio ya cargado en otra carga del mismo programa y periodo",
    "columnas": "número de columnas distinto al del encabezado",
    "periodo_atipico": "periodo sin año, o con un año lejano al actual (no se permitió cargarlo)",
}
"""Why a row is rejected: only when it cannot be used at all."""

CURP_FLAGS = ("curp_formato", "curp_fecha", "curp_estado", "curp_check_digit")
_CURP = pl.Struct(
    {
        "curp": pl.String,
        "curp_valida": pl.Boolean,
        "curp_nacimiento": pl.Date,
        "curp_sexo": pl.String,
        **dict.fromkeys(CURP_FLAGS, pl.Boolean),
    }
)


@dataclass(frozen=True)
class Normalised:
    """A chunk as ``padron.registro`` rows (plus ``motivo``) and one boolean column per flag."""

    records: pl.DataFrame
    flags: pl.DataFrame


def map_unique(series: pl.Series, function: Callable[[str], Any], dtype: pl.DataType) -> pl.Series:
    """Apply a scalar parser to each distinct non-null value and broadcast the results.

    The results are gathered by each value's position among the distinct values (its code as an
    ``Enum``): five times faster than ``replace_strict``'s lookup of every row's text.
    """
    distinct = series.drop_nulls().unique()
    parsed = pl.Series(series.name, [function(v) for v in distinct.to_list()], dtype=dtype)
    return parsed.gather(series.cast(pl.Enum(distinct)).to_physical())


def normalise(
    chunk: pl.DataFrame,
    positions: dict[str, int],
    constants: dict[str, str],
    programa: str,
    periodo: str | None,
    periodos: PeriodWindow | None = None,
) -> Normalised:
    """Normalise one chunk of :func:`geo.ingest.reader.read_chunks`: ``c<i>`` text columns,
    ``fila`` and ``bytes_nulos``.

    ``records`` has one row per input row with the ``padron.registro`` columns (without
    ``carga_id``; ``banderas`` as a PostgreSQL array literal) and ``motivo`` (null
    when the row is loadable). A row's own period outside ``periodos`` (None: any) rejects it.
    """
    cleaned = _clean(chunk, {name: cell_column(i) for name, i in positions.items()})
    n = chunk.height

    def field(name: str) -> pl.Series:
        if name in positions:
            return cleaned[name]
        if name in constants:
            return pl.Series(name, [constants[name]] * n, dtype=pl.String)
        return pl.Series(name, [None] * n, dtype=pl.String)

    raw_curp = field("NB_CURP")
    curp_info = validate_curps(raw_curp)
    first, second, given = (field(f) for f in NAME_FIELDS)
    birth_raw, sex_raw = field("FH_NACIMIENTO"), field("CD_SEXO")
    birth = _date(birth_raw)
    sex = map_unique(sex_raw, nz.parse_sex, pl.String())
    alta_raw, amount_raw, edo_raw = field("FH_ALTA"), field("NU_IMP_MONETARIO"), field("CD_EDO_NAC")
    keys = {name: field(name) for name in ("CVE_ENT", "CVE_MUN", "CVE_LOC", "CP")}
    widths = {"CVE_ENT": 2, "CVE_MUN": 3, "CVE_LOC": 4, "CP": 5}
    padded = {
        name: map_unique(series, partial(nz.pad_key, width=widths[name]), pl.String())
        for name, series in keys.items()
    }
    lon_raw, lat_raw = field("LONGITUD"), field("LATITUD")

    records = pl.DataFrame(
        {
            "programa": pl.Series([programa] * n, dtype=pl.String),
            "periodo": pl.Series([periodo] * n, dtype=pl.String) if periodo else field("PERIODO"),
            "folio": field("ID_REGISTRO"),
            "fila": chunk["fila"],
            "primer_ap": first,
            "segundo_ap": second,
            "nombre": given,
            "primer_ap_norm": map_unique(first, names.normalize_surname, pl.String()),
            "segundo_ap_norm": map_unique(second, names.normalize_surname, pl.String()),
            "nombre_norm": map_unique(given, names.normalize_given, pl.String()),
            "fecha_nacimiento": birth,
            "sexo": sex,
            "edo_nac": map_unique(edo_raw, _state_of_birth, pl.String()),
            "fecha_alta": _date(alta_raw),
            "importe": map_unique(amount_raw, nz.parse_amount, pl.Decimal(14, 2)),
            "tipovial": field("TIPOVIAL"),
            "nomvial": field("NOMVIAL"),
            "numext": _joined(field("NUMEXTNUM1"), field("NUMEXTALF1")),
            "numint": _joined(field("NUMINTNUM"), field("NUMINTALF")),
            "tipoasen": field("TIPOASEN"),
            "nomasen": field("NOMASEN"),
            "cp": padded["CP"],
            "descrubic": field("DESCRUBIC"),
            "cve_ent": padded["CVE_ENT"],
            "cve_mun": padded["CVE_MUN"],
            "cve_loc": padded["CVE_LOC"],
            "nom_ent": field("NOM_ENT"),
            "nom_mun": field("NOM_MUN"),
            "nom_loc": field("NOM_LOC"),
            "lon_declarada": _coordinate(lon_raw),
            "lat_declarada": _coordinate(lat_raw),
        }
    ).with_columns(curp_info)

    problems = {
        "curp_faltante": raw_curp.is_null(),
        "curp_no_coincide_fecha": (records["curp_nacimiento"] != birth).fill_null(False),
        "curp_no_coincide_sexo": (records["curp_sexo"] != sex).fill_null(False),
        "nombre_incompleto": (given.is_null() | first.is_null())
        & ~(given.is_null() & first.is_null() & second.is_null()),
        "fecha_nacimiento_invalida": birth_raw.is_not_null() & birth.is_null(),
        "fecha_nacimiento_improbable": (
            (birth > dt.date.today()) | (birth < dt.date(1900, 1, 1))
        ).fill_null(False),
        "fecha_alta_invalida": alta_raw.is_not_null() & records["fecha_alta"].is_null(),
        "sexo_invalido": sex_raw.is_not_null() & sex.is_null(),
        "edo_nac_invalido": edo_raw.is_not_null() & records["edo_nac"].is_null(),
        "importe_invalido": amount_raw.is_not_null() & records["importe"].is_null(),
        "clave_ent_invalida": keys["CVE_ENT"].is_not_null() & padded["CVE_ENT"].is_null(),
        "clave_mun_invalida": keys["CVE_MUN"].is_not_null() & padded["CVE_MUN"].is_null(),
        "clave_loc_invalida": keys["CVE_LOC"].is_not_null() & padded["CVE_LOC"].is_null(),
        "claves_sin_ceros": reduce(
            operator.or_,
            (
                ((keys[k].str.len_chars() < widths[k]) & padded[k].is_not_null()).fill_null(False)
                for k in ("CVE_ENT", "CVE_MUN", "CVE_LOC")
            ),
        ),
        "cp_invalido": keys["CP"].is_not_null() & padded["CP"].is_null(),
        "coord_formato": (lon_raw.is_not_null() & records["lon_declarada"].is_null())
        | (lat_raw.is_not_null() & records["lat_declarada"].is_null()),
        "programa_no_coincide": (field("CD_PROGRAMA").str.to_uppercase() != programa).fill_null(
            False
        ),
        "bytes_nulos": chunk["bytes_nulos"],
    }
    flags = pl.DataFrame(
        {**{name: records[name].fill_null(False) for name in CURP_FLAGS}, **problems}
    )
    # A name is usable when its matching form keeps a letter ("12345" or "-" keep none): a row
    # without one cannot be anybody, whatever else it holds.
    no_name = (
        (records["primer_ap_norm"].fill_null("") == "")
        & (records["segundo_ap_norm"].fill_null("") == "")
        & (records["nombre_norm"].fill_null("") == "")
    )
    odd_period = (
        periodos.implausible(records["periodo"])
        if periodos is not None and periodo is None
        else pl.repeat(False, n, eager=True)
    )
    records = records.with_columns(
        curp_valida=pl.col("curp_valida").fill_null(False),
        banderas=flags.select(
            pl.lit("{")
            + pl.concat_str(
                [pl.when(pl.col(name)).then(pl.lit(name)) for name in flags.columns],
                separator=",",
                ignore_nulls=True,
            )
            + pl.lit("}")
        ).to_series(),
        motivo=pl.when(pl.col("folio").is_null())
        .then(pl.lit("sin_folio"))
        .when(no_name)
        .then(pl.lit("sin_nombre"))
        .when(odd_period)
        .then(pl.lit("periodo_atipico")),
    ).drop("curp_nacimiento", "curp_sexo", *CURP_FLAGS)
    return Normalised(records, flags)


def raw_text(chunk: pl.DataFrame, width: int) -> pl.Series:
    """Each row's ``width`` cells in file order, joined by :data:`RAW_SEPARATOR` (as rejects keep
    them)."""
    return chunk.select(pl.concat_str(cell_columns(width), separator=RAW_SEPARATOR)).to_series()


def _clean(chunk: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """The mapped ``columns`` as fields: trimmed, inner whitespace collapsed, no-data as NULL.

    Edge and inner runs of whitespace are rare, so one pass finds the columns that have any and
    only those are trimmed and collapsed (each is exactly what it would be if every column were);
    rewriting every cell was a fifth of the ingest's Python time. Each step is one ``select``
    over the chunk, so Polars runs the columns in parallel.
    """
    untidy = chunk.select(
        pl.col(raw).str.contains(r"^\s|\s$|\s\s|[\t\r\n]").any().alias(name)
        for name, raw in columns.items()
    ).row(0, named=True)
    fields = pl.DataFrame(
        {name: _tidy(chunk[raw]) if untidy[name] else chunk[raw] for name, raw in columns.items()}
    )
    return fields.select(
        pl.when(pl.col(c).is_in(_NO_DATA_SPELLINGS).fill_null(True).not_()).then(pl.col(c))
        for c in fields.columns
    )


def _tidy(cells: pl.Series) -> pl.Series:
    """Cells trimmed, and runs of whitespace collapsed where any trimmed cell has one."""
    trimmed = cells.str.strip_chars()
    if trimmed.str.contains(r"\s\s|[\t\r\n]").any():
        return trimmed.str.replace_all(r"\s+", " ")
    return trimmed


def _joined(number: pl.Series, suffix: pl.Series) -> pl.Series:
    """Exterior/interior number: numeric part and letter part as one text (``12A``)."""
    joined = number.fill_null("") + suffix.fill_null("")
    return joined.set(joined == "", None)


_DATE_FORMATS = (
    (r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d"),
    (r"^\d{2}/\d{2}/\d{4}$", "%d/%m/%Y"),
    (r"^\d{8}$", "%Y%m%d"),
)


def _date(series: pl.Series) -> pl.Series:
    """Unambiguous common formats by Polars; anything else by
    :func:`geo.kernel.fields.parse_date`."""
    shapes = series.to_frame("text").with_columns(
        pl.col("text").str.contains(pattern).fill_null(False).alias(fmt)
        for pattern, fmt in _DATE_FORMATS
    )
    fast, matched = shapes.select(
        pl.coalesce(
            pl.when(fmt).then(pl.col("text").str.to_date(fmt, strict=False))
            for _, fmt in _DATE_FORMATS
        ),
        pl.any_horizontal(fmt for _, fmt in _DATE_FORMATS),
    )
    rest = series.set(matched, None)
    return fast.zip_with(matched, map_unique(rest, nz.parse_date, pl.Date())).rename(series.name)


def _coordinate(series: pl.Series) -> pl.Series:
    """Decimal degrees (point or comma) by Polars; other forms (DMS text) by the scalar parser."""
    fast = series.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    rest = series.set(fast.is_not_null(), None)
    if rest.null_count() == len(rest):
        return fast
    return fast.fill_null(map_unique(rest, nz.parse_coordinate, pl.Float64()))


_STRICT_CURP = (
    r"^[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HM](?:"
    + "|".join(sorted(curp.STATE_CODES))
    + r")[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z][0-9]$"
)
_CURP_VALUES = np.zeros(256, dtype=np.int64)
_CURP_VALUES[[ord(c) for c in curp.ALPHABET if c.isascii()]] = [
    i for i, c in enumerate(curp.ALPHABET) if c.isascii()
]
"""Each ASCII character's value in the check digit (a well-formed CURP has no Ñ)."""
_CURP_WEIGHTS = np.arange(18, 1, -1)
_PLACEHOLDER_CURP = "0" * 18


def validate_curps(raw: pl.Series) -> pl.DataFrame:
    """:func:`geo.kernel.curp.validate` for a whole column.

    Well-formed CURPs (almost all) are checked by Polars: real date and RENAPO check digit.
    Anything else goes through the scalar reference once per distinct value. Both paths give the
    same answer (``tests/ingest/test_normalise.py`` compares them).
    """
    value = pl.col("value")
    century = pl.when(value.str.slice(16, 1).str.contains("^[0-9]$")).then(pl.lit("19"))
    birth = pl.concat_str(century.otherwise(pl.lit("20")), value.str.slice(4, 6))
    # Only well-formed values take this path, so inner spaces (rare) are left to the reference.
    fast = pl.DataFrame({"value": raw.str.to_uppercase()}).with_columns(
        strict=value.str.contains(_STRICT_CURP).fill_null(False)
    )
    strict = fast["strict"]
    well_formed = fast.select(pl.when("strict").then(value).otherwise(pl.lit(_PLACEHOLDER_CURP)))
    fast = fast.with_columns(
        curp_nacimiento=birth.str.to_date("%Y%m%d", strict=False),
        curp_check_digit=_wrong_check_digit(well_formed.to_series()),
    )
    slow = map_unique(raw.set(strict, None), _curp_struct, _CURP).struct.unnest()
    fast = fast.select(
        curp="value",
        curp_valida=pl.col("curp_nacimiento").is_not_null() & ~pl.col("curp_check_digit"),
        curp_nacimiento="curp_nacimiento",
        curp_sexo=value.str.slice(10, 1),
        curp_formato=pl.lit(False),
        curp_fecha=pl.col("curp_nacimiento").is_null(),
        curp_estado=pl.lit(False),
        curp_check_digit="curp_check_digit",
    )
    return pl.DataFrame(
        {c: fast[c].zip_with(strict, slow[c].cast(fast[c].dtype)) for c in slow.columns}
    )


def _wrong_check_digit(curps: pl.Series) -> pl.Series:
    """Whether each 18-character ASCII CURP's last digit differs from its RENAPO check digit.

    On the (rows × 18) byte matrix with numpy: looking each character up in Polars was three
    fifths of the cost of validating a column of CURPs.
    """
    data = curps.str.join("").item().encode("ascii")
    chars = np.frombuffer(data, dtype=np.uint8).reshape(len(curps), 18)
    checksum = _CURP_VALUES[chars[:, :17]] @ _CURP_WEIGHTS
    return pl.Series((10 - checksum % 10) % 10 != chars[:, 17] - ord("0"))


def _curp_struct(raw: str) -> dict[str, Any]:
    result = curp.validate(raw)
    usable = "curp_formato" not in result.flags
    return {
        "curp": result.value if usable else None,
        "curp_valida": usable and not result.flags,
        "curp_nacimiento": result.birth_date,
        "curp_sexo": result.sex,
        **{name: name in result.flags for name in CURP_FLAGS},
    }


def _state_of_birth(raw: str) -> str | None:
    """CURP state code from either the two letters (``OC``) or the INEGI key (``20``)."""
    text = raw.strip().upper()
    if text in curp.STATE_CODES:
        return text
    key = nz.pad_key(text, 2)
    return curp.CURP_STATE_BY_INEGI.get(key) if key else None
