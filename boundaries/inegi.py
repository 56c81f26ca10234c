"""Readers for INEGI products: Marco Geoestadístico polygons and Censo 2020 ITER.

They accept both the Oaxaca extracts in ``../shared/data`` and the publishers' own per-state
files (Marco Geoestadístico shapefiles ``NNmun.shp``/``NNl.shp``, ITER
``conjunto_de_datos_iter_NNCSV20.csv``), and return frames in EPSG:4326 with lower-case columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.kernel.errors import DataCheckFailed
from geo.kernel.fields import parse_coordinate

ITER_NULL_MARKERS = frozenset({"", "*", "N/D", "N/A"})
"""ITER's special codes: ``*`` confidential (1–2 dwellings), ``N/D`` not available, ``N/A`` not
applicable. They become NULL, never zero."""

AGGREGATE_LOCALITIES = frozenset({"0000", "9998", "9999"})
"""ITER rows that are not places: municipal/state totals and 1–2 dwelling aggregates."""

_AGE_GROUP = re.compile(r"^P_(\d+)(?:A(\d+)|YMAS)(?:_([FM]))?$")
_TYPED = ("pobtot", "pobfem", "pobmas", "pob0_14", "pob15_64", "pob65_mas")
_ITER_TEXT = {
    "CVEGEO", "ENTIDAD", "NOM_ENT", "MUN", "NOM_MUN", "LOC", "NOM_LOC", "LONGITUD", "LATITUD",
    "ALTITUD", "LON_DEC", "LAT_DEC",
}  # fmt: skip


def read_polygons(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a polygon layer, reprojected to EPSG:4326 and forced to MultiPolygon."""
    frame = gpd.read_file(path, layer=layer)
    if frame.crs is None:
        raise DataCheckFailed(f"{path.name}: la capa no declara sistema de referencia (CRS).")
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    frame.columns = [c if c == "geometry" else c.lower() for c in frame.columns]
    frame["geometry"] = frame.geometry.map(_as_multipolygon)
    return frame


def read_municipios(path: Path, layer: str | None = "municipios") -> gpd.GeoDataFrame:
    """Municipal polygons with ``cvegeo, cve_ent, cve_mun, nom_mun, pob_2020, viv_2020``."""
    frame = read_polygons(path, layer if path.suffix == ".gpkg" else None)
    frame = _rename_first(frame, {"nom_mun": ("nom_mun", "nomgeo", "nom_agem")})
    for column in ("pob_2020", "viv_2020"):
        frame[column] = _int_or_none(frame[column]) if column in frame else None
    return frame[["cvegeo", "cve_ent", "cve_mun", "nom_mun", "pob_2020", "viv_2020", "geometry"]]


def read_estado(path: Path, layer: str | None = "estado") -> gpd.GeoDataFrame:
    """State outline with ``cve_ent, nom_ent, pob_2020, viv_2020``."""
    frame = read_polygons(path, layer if path.suffix == ".gpkg" else None)
    frame = _rename_first(
        frame, {"nom_ent": ("nom_ent", "nomgeo"), "cve_ent": ("cve_ent", "cvegeo")}
    )
    for column in ("pob_2020", "viv_2020"):
        frame[column] = _int_or_none(frame[column]) if column in frame else None
    return frame[["cve_ent", "nom_ent", "pob_2020", "viv_2020", "geometry"]]


def read_localidades_poligonos(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Locality polygons (urban and rural *amanzanadas*); population is text with ``-`` for n/a."""
    frame = read_polygons(path, layer)
    frame = _rename_first(frame, {"nom_loc": ("nom_loc", "nomgeo")})
    for column in ("pob_2020", "viv_2020"):
        frame[column] = _int_or_none(frame[column]) if column in frame else None
    if "ambito" not in frame:
        frame["ambito"] = None
    return frame[
        [
            "cvegeo",
            "cve_ent",
            "cve_mun",
            "cve_loc",
            "nom_loc",
            "ambito",
            "pob_2020",
            "viv_2020",
            "geometry",
        ]
    ]


def read_iter(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Read an ITER 2020 CSV: localities, their age-sex groups, and the published totals.

    Returns ``(localities, age_groups, totals)``. ``localities`` has one row per individual
    locality with typed population columns, parsed decimal ``lon``/``lat`` (from ITER's
    degree-minute-second text), ``altitud`` and an ``indicadores`` dict of every other indicator
    (NULL markers as None). ``age_groups`` is long: ``cvegeo, edad_min, edad_max, sexo, poblacion``.
    ``totals`` maps ``'estado'`` and each 5-digit municipality key to ITER's own total rows, so the
    loader can check that the localities add up.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=_sniff_encoding(path))
    raw.columns = [c.strip().upper() for c in raw.columns]
    raw = raw.rename(columns={"ENTIDAD": "ENTIDAD", "ENT": "ENTIDAD"})
    missing = {"ENTIDAD", "MUN", "LOC", "NOM_LOC", "LONGITUD", "LATITUD", "POBTOT"} - set(
        raw.columns
    )
    if missing:
        raise DataCheckFailed(
            f"{path.name}: no es un ITER 2020; faltan columnas {sorted(missing)}."
        )
    raw["CVEGEO"] = raw["ENTIDAD"].str.zfill(2) + raw["MUN"].str.zfill(3) + raw["LOC"].str.zfill(4)

    totals = {"estado": 0}
    for row in raw.loc[raw["LOC"] == "0000", ["MUN", "ENTIDAD", "POBTOT"]].itertuples(index=False):
        key = "estado" if row.MUN == "000" else row.ENTIDAD + row.MUN
        totals[key] = int(row.POBTOT)

    places = raw.loc[~raw["LOC"].isin(AGGREGATE_LOCALITIES)].reset_index(drop=True)
    indicators = [c for c in places.columns if c not in _ITER_TEXT]
    # object Series keep ints as ints and markers as None (a numeric dtype would turn them into
    # floats and NaN, which PostgreSQL integers and JSON both refuse).
    values = {c: pd.Series([_iter_number(v) for v in places[c]], dtype=object) for c in indicators}

    localities = pd.DataFrame(
        {
            "cvegeo": places["CVEGEO"],
            "cve_ent": places["ENTIDAD"],
            "cve_mun": places["MUN"],
            "cve_loc": places["LOC"],
            "nom_loc": places["NOM_LOC"],
            "lon": places["LONGITUD"].map(parse_coordinate),
            "lat": places["LATITUD"].map(parse_coordinate),
            "altitud": places["ALTITUD"].map(_altitude) if "ALTITUD" in places else None,
            **{name: values[name.upper()] for name in _TYPED},
        }
    )
    other = [c for c in indicators if c.lower() not in _TYPED and not _AGE_GROUP.match(c)]
    localities["indicadores"] = [
        dict(zip(other, row, strict=True)) for row in zip(*(values[c] for c in other), strict=True)
    ]
    return localities, _age_groups(places["CVEGEO"], values), totals


def _age_groups(cvegeo: pd.Series, values: dict[str, pd.Series]) -> pd.DataFrame:
    parts = []
    for column, series in values.items():
        match = _AGE_GROUP.match(column)
        if not match:
            continue
        low, high, sex = match.groups()
        parts.append(
            pd.DataFrame(
                {
                    "cvegeo": cvegeo,
                    "edad_min": int(low),
                    "edad_max": int(high) if high else None,
                    "sexo": sex or "T",
                    "poblacion": series,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _iter_number(text: str) -> int | float | None:
    text = text.strip()
    if text in ITER_NULL_MARKERS:
        return None
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _altitude(text: str) -> int | None:
    """ITER altitudes are zero-padded metres; coastal ones read ``-009`` or ``00-3``."""
    text = text.strip()
    if text in ITER_NULL_MARKERS:
        return None
    return -int(text.replace("-", "")) if "-" in text else int(text)


def _as_multipolygon(geometry: BaseGeometry | None) -> BaseGeometry | None:
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    return geometry


def _int_or_none(series: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    return numbers.astype("Int64").astype(object).where(numbers.notna(), None)


def _rename_first(frame: gpd.GeoDataFrame, wanted: dict[str, tuple[str, ...]]) -> gpd.GeoDataFrame:
    for target, candidates in wanted.items():
        found = next((c for c in candidates if c in frame.columns), None)
        if found is None:
            raise DataCheckFailed(f"Falta la columna {target} (se buscó {', '.join(candidates)}).")
        if found != target:
            frame = frame.rename(columns={found: target})
    return frame


def _sniff_encoding(path: Path) -> str:
    """INEGI publishes UTF-8 now; older extracts are Latin-1."""
    head = path.read_bytes()[:65536]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig"
