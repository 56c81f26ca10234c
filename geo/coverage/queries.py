"""Read queries over ``analisis``: coverage tables, gap ranking, what has been computed."""

from __future__ import annotations

import csv
import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import polars as pl
from sqlalchemy import Connection, Engine, Select, func, select

from boundaries.queries import MAX_PAGE_SIZE, parse_grades
from geo.coverage import tables as a
from geo.coverage.groups import STANDARD_KEYS, parse_group
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter

LEVELS = ("localidad", "municipio", "distrito", "region")

COVERAGE_COLUMNS = (
    "nivel", "clave", "nombre", "cvegeo_mun", "nom_mun", "distrito", "region", "programa",
    "periodo", "personas", "registros", "importe", "pobtot", "grupo", "poblacion_grupo",
    "cobertura", "gm", "fuente_marginacion", "anio_marginacion",
)  # fmt: skip
"""Columns of a coverage row, in CSV order. ``cobertura`` is a fraction (0.25 = 25 %)."""

_MUN_KEY = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class CoverageFilter:
    """Which coverage rows to list."""

    nivel: str = "municipio"
    programa: str | None = None
    periodo: str | None = None
    clave: str | None = None
    municipio: str | None = None
    distrito: str | None = None
    region: str | None = None
    grados: Sequence[str] | None = None

    def check(self) -> None:
        """Raise :class:`InvalidParameter` with a Spanish message for values out of range."""
        if self.nivel not in LEVELS:
            raise InvalidParameter(
                f"Nivel desconocido: {self.nivel!r}. Válidos: {', '.join(LEVELS)}."
            )
        if self.municipio is not None and not _MUN_KEY.match(self.municipio):
            raise InvalidParameter(
                f"Clave de municipio no válida: {self.municipio!r}; use 5 dígitos, p. ej. 20067."
            )


def _coverage_query(
    f: CoverageFilter, *, geometry: bool = False, tolerance: float = 0.001
) -> Select[Any]:
    f.check()
    c, ar = a.cobertura, a.area
    columns: list[Any] = [
        c.c.nivel, c.c.clave, ar.c.nombre, ar.c.cvegeo_mun, ar.c.nom_mun, ar.c.distrito,
        ar.c.region, c.c.programa, c.c.periodo, c.c.personas, c.c.registros, c.c.importe,
        ar.c.pobtot, c.c.grupo, c.c.poblacion_grupo, c.c.cobertura, ar.c.gm,
        ar.c.fuente_marginacion, ar.c.anio_marginacion,
    ]  # fmt: skip
    if geometry:
        shape = (
            ar.c.geom
            if f.nivel == "localidad"
            else func.ST_SimplifyPreserveTopology(ar.c.geom, tolerance)
        )
        columns.append(func.ST_AsGeoJSON(shape, 6).label("geometry"))
    query = (
        select(*columns)
        .select_from(c.join(ar, (ar.c.nivel == c.c.nivel) & (ar.c.clave == c.c.clave)))
        .where(c.c.nivel == f.nivel)
    )
    if f.programa:
        query = query.where(c.c.programa == f.programa.strip().upper())
    if f.periodo is not None:
        query = query.where(c.c.periodo == f.periodo)
    if f.clave:
        query = query.where(c.c.clave == f.clave)
    if f.municipio:
        query = query.where(ar.c.cvegeo_mun == f.municipio)
    if f.distrito:
        query = query.where(func.lower(ar.c.distrito) == f.distrito.lower())
    if f.region:
        query = query.where(func.lower(ar.c.region) == f.region.lower())
    if grades := parse_grades(f.grados):
        query = query.where(ar.c.gm.in_(grades))
    return query.order_by(c.c.programa, c.c.periodo, c.c.clave)


def list_coverage(
    conn: Connection,
    f: CoverageFilter,
    *,
    limit: int = 100,
    offset: int = 0,
    geometry: bool = False,
    tolerance: float = 0.001,
) -> tuple[list[dict[str, Any]], int]:
    """One page of coverage rows and the number that matched (polygons simplified by
    ``tolerance`` degrees when ``geometry``)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidParameter(f"El límite debe estar entre 1 y {MAX_PAGE_SIZE}.")
    if offset < 0:
        raise InvalidParameter("El desplazamiento (offset) no puede ser negativo.")
    if not 0 <= tolerance <= 0.1:
        raise InvalidParameter("La tolerancia de simplificación debe estar entre 0 y 0.1 grados.")
    query = _coverage_query(f, geometry=geometry, tolerance=tolerance)
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = [_row(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]
    return rows, int(total.scalar_one())


def iter_coverage(conn: Connection, f: CoverageFilter) -> Iterator[dict[str, Any]]:
    """Every matching coverage row (for CSV exports), streamed."""
    query = _coverage_query(f)
    for row in (
        conn.execution_options(stream_results=True, yield_per=5000).execute(query).mappings()
    ):
        yield _row(row)


def write_csv(rows: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write coverage rows as CSV (``cobertura`` as a fraction); returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=COVERAGE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def feature_collection(rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """GeoJSON of coverage rows fetched with ``geometry=True``."""
    features = []
    for row in rows:
        item = dict(row)
        features.append(
            {
                "type": "Feature",
                "id": f"{item['nivel']}:{item['clave']}:{item['programa']}:{item['periodo']}",
                "geometry": item.pop("geometry"),
                "properties": item,
            }
        )
    return {
        "type": "FeatureCollection",
        "numberMatched": total,
        "numberReturned": len(features),
        "features": features,
    }


def computed(conn: Connection) -> list[dict[str, Any]]:
    """Programs and periods in ``analisis``, with the batches they came from and when."""
    r = a.refresco
    rows = conn.execute(select(r).order_by(r.c.periodo.desc(), r.c.programa)).mappings()
    return [
        {
            "programa": row["programa"],
            "periodo": row["periodo"] or None,
            "cargas": list(row["cargas"]),
            "grupo": row["grupo"],
            "registros": row["registros"],
            "refrescado_en": row["refrescado_en"].isoformat(),
        }
        for row in rows
    ]


USABLE_PLACED_SHARE = 0.5
"""A period is shown by default only when at least this share of its records is placed in a
municipality or better. The newest period by name is not enough: one careless batch (every
field invalid, its period ``2099``) would otherwise make an empty map the public default."""


def default_period(conn: Connection) -> str | None:
    """The period public views show when none is asked for: the newest (periods sort as text:
    2024, 2024-T1...) whose records are placed in at least :data:`USABLE_PLACED_SHARE`, or the
    newest of all when none is; None before any coverage is computed."""
    r = a.refresco
    rows = conn.execute(
        select(r.c.periodo, func.sum(r.c.registros), func.sum(r.c.registros_total))
        .group_by(r.c.periodo)
        .order_by(r.c.periodo.desc())
    ).all()
    for periodo, placed, total in rows:
        if total and placed / total >= USABLE_PLACED_SHARE:
            return str(periodo)
    return str(rows[0][0]) if rows else None


def _row(row: Any) -> dict[str, Any]:
    item = dict(row)
    item["importe"] = float(item["importe"])
    if item.get("geometry") is not None:
        item["geometry"] = json.loads(item["geometry"])
    return item


# -- gaps ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapFilter:
    """Filters of the gap ranking (``cobertura_max`` is a fraction, 0.1 = 10 %)."""

    periodo: str | None = None
    programas: Sequence[str] | None = None
    grados: Sequence[str] | None = None
    poblacion_min: int | None = None
    cobertura_max: float | None = None
    municipio: str | None = None
    distrito: str | None = None
    region: str | None = None
    grupo: str = "total"
    bbox: tuple[float, float, float, float] | None = None
    """West, south, east, north (degrees): localities inside, each keeping its place in the
    ranking of the other filters."""
    cvegeo: str | None = None
    """One locality, with its place in the ranking of the other filters."""


@dataclass
class _PeriodGaps:
    """What the gap ranking reads for one period: every locality with its census groups, its
    persons by exact set of programs (``analisis.combinacion``), and the exact rankings asked
    for so far."""

    localities: pl.DataFrame
    sets: pl.DataFrame
    rankings: dict[tuple[str, tuple[str, ...]], pl.DataFrame] = field(default_factory=dict)

    def reach(self, programas: list[str]) -> pl.DataFrame:
        """Exact unions over the selected programs: the sum over the program sets that meet
        them (a :data:`Reach` frame)."""
        sets = self.sets
        present = (
            sets.explode("programas")
            .group_by("cvegeo")
            .agg(programas_presentes=pl.col("programas").unique().sort())
        )
        if programas:
            sets = sets.filter(pl.col("programas").list.set_intersection(programas).list.len() > 0)
        reach = sets.group_by("cvegeo").agg(pl.col("personas").sum())
        return present.join(reach, on="cvegeo", how="left").with_columns(
            pl.col("personas").fill_null(0)
        )

    def ranking(self, grupo: str, programas: list[str]) -> pl.DataFrame:
        """Every locality ranked for ``grupo`` with the exact reach of ``programas``, computed
        once (a request then only filters the ranking, which keeps its order, and takes a page)."""
        key = (grupo, tuple(programas))
        ranked = self.rankings.get(key)
        if ranked is None:
            ranked = _rank(self, self.reach(programas), grupo)
            if len(self.rankings) >= MAX_RANKINGS:
                self.rankings.clear()
            self.rankings[key] = ranked
        return ranked


MAX_RANKINGS = 64
"""Exact rankings kept per period (one per group and choice of programs asked for)."""

_gap_cache: dict[tuple[str, str], tuple[object, _PeriodGaps]] = {}
_gap_cache_lock = threading.Lock()

_LOCALITY_SCHEMA = {
    "cvegeo": pl.String, "nom_loc": pl.String, "cvegeo_mun": pl.String, "nom_mun": pl.String,
    "distrito": pl.String, "region": pl.String, "pobtot": pl.Int64, "gm": pl.String,
    "grado_orden": pl.Int64, "fuente_marginacion": pl.String, "anio_marginacion": pl.Int64,
    "poblacion": pl.String, "lon": pl.Float64, "lat": pl.Float64,
}  # fmt: skip


def _period_gaps(conn: Connection, periodo: str, version: object) -> _PeriodGaps:
    """The period's tables, read once per refresh of ``analisis`` and kept in memory.

    Ranking 10,723 localities in SQL took 45–80 ms per request on this project's 2-core
    machine (scanning and aggregating the program sets, the census groups in JSON, a window
    count); the tables change only with ``padron cobertura refrescar``, whose time stamps in
    ``analisis.refresco`` are the cache's version, so each request filters a ranking kept in
    Polars. JSON (census groups, program sets) arrives as text and is decoded by Polars: turning
    each row into Python objects took most of the second the first request used to pay.
    """
    key = (conn.engine.url.render_as_string(hide_password=True), periodo)
    with _gap_cache_lock:
        cached = _gap_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    localities = pl.DataFrame(
        conn.execute(query("geo.coverage", "gap_localities.sql")).all(),
        schema=_LOCALITY_SCHEMA,
        orient="row",
    )
    census = (
        localities["poblacion"].str.json_decode(infer_schema_length=None)
        if localities.height
        else pl.Series(dtype=pl.Struct({}))
    )
    sets = pl.DataFrame(
        conn.execute(query("geo.coverage", "gap_program_sets.sql"), {"periodo": periodo}).all(),
        schema={"cvegeo": pl.String, "programas": pl.String, "personas": pl.Int64},
        orient="row",
    ).with_columns(pl.col("programas").str.json_decode(pl.List(pl.String)))
    tables = _PeriodGaps(localities=localities.with_columns(census.alias("poblacion")), sets=sets)
    with _gap_cache_lock:
        _gap_cache[key] = (version, tables)
    return tables


Reach = Callable[[Connection, str, list[str], set[str]], pl.DataFrame]
"""Persons reached per locality in a period by the chosen programs (all when empty) among
the period's programs: a frame of ``cvegeo``, ``personas`` (null: not published) and
``programas_presentes`` (programs with someone there)."""


def exact_reach(
    conn: Connection, periodo: str, programas: list[str], known: set[str]
) -> pl.DataFrame:
    """Exact unions over the selected programs: the sum over the program sets that meet them."""
    return _period_gaps(conn, periodo, _gap_version(conn)[1]).reach(programas)


def _rank(tables: _PeriodGaps, reach: pl.DataFrame, grupo: str) -> pl.DataFrame:
    """Every locality ranked for targeting: marginality grade (Muy alto first), then lowest
    coverage, then largest population of the group, the key last (a total order); a locality
    whose persons are not published ranks as if none were reached: the order reveals nothing
    the figures hide."""
    ranked = (
        tables.localities.with_columns(
            poblacion_grupo=pl.col("poblacion").struct.field(grupo).cast(pl.Float64),
            distrito_clave=pl.col("distrito").str.to_lowercase(),
            region_clave=pl.col("region").str.to_lowercase(),
        )
        .drop("poblacion")
        .join(reach, on="cvegeo", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("programas_presentes").is_null())
            .then(pl.lit(0, dtype=pl.Int64))
            .otherwise(pl.col("personas"))
            .alias("personas")
        )
        .with_columns(
            cobertura=pl.when(pl.col("poblacion_grupo") != 0).then(
                pl.col("personas") / pl.col("poblacion_grupo")
            )
        )
    )
    return ranked.sort(
        ["grado_orden", pl.col("cobertura").fill_null(0), "poblacion_grupo", "cvegeo"],
        descending=[True, False, True, False],
        nulls_last=True,
    )


def _filter(ranked: pl.DataFrame, f: GapFilter) -> pl.DataFrame:
    """The localities of a ranking that pass the request's filters, in ranking order."""
    conditions = []
    if grades := parse_grades(f.grados):
        conditions.append(pl.col("gm").is_in(grades))
    if f.poblacion_min is not None:
        conditions.append(pl.col("pobtot") >= f.poblacion_min)
    if f.municipio:
        conditions.append(pl.col("cvegeo_mun") == f.municipio)
    if f.distrito:
        conditions.append(pl.col("distrito_clave") == f.distrito.lower())
    if f.region:
        conditions.append(pl.col("region_clave") == f.region.lower())
    if f.cobertura_max is not None:
        conditions.append(pl.col("cobertura").fill_null(0) <= f.cobertura_max)
    return ranked.filter(*conditions) if conditions else ranked


def _gap_version(conn: Connection) -> tuple[dict[str, set[str]], object]:
    """Programs computed per period, and the version of ``analisis`` (its refresh stamps)."""
    by_period: dict[str, set[str]] = {}
    stamps = []
    for period_value, program, stamp in conn.execute(
        select(a.refresco.c.periodo, a.refresco.c.programa, a.refresco.c.refrescado_en)
    ):
        by_period.setdefault(period_value, set()).add(program)
        stamps.append(stamp)
    return by_period, (len(stamps), max(stamps, default=None))


def warm_gaps(engine: Engine) -> None:
    """Bring this process's gap tables up to date before any request needs them: the default
    period's, and those of the periods it holds, each with the rankings asked for before (the
    default period's first time: the whole population, for all its programs and for each one)
    — tables of periods no longer computed are dropped. Cheap when nothing has changed."""
    url = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        by_period, version = _gap_version(conn)
        with _gap_cache_lock:
            held = {periodo: cached for (u, periodo), cached in _gap_cache.items() if u == url}
            for periodo in set(held) - set(by_period):
                del _gap_cache[(url, periodo)]
        periods = set(held) & set(by_period)
        if by_period and (default := default_period(conn)) is not None:
            periods.add(default)
        for periodo in sorted(periods):
            tables = _period_gaps(conn, periodo, version)
            before = (
                held[periodo][1].rankings
                if periodo in held
                else {("total", ()): None} | {("total", (p,)): None for p in by_period[periodo]}
            )
            groups = tables.localities["poblacion"].struct.fields
            for grupo, programas in list(before):
                if grupo in groups:
                    tables.ranking(grupo, list(programas))


def gaps(
    conn: Connection,
    f: GapFilter,
    *,
    limit: int | None = 50,
    offset: int = 0,
    reach: Reach = exact_reach,
    geometry: bool = False,
) -> tuple[list[dict[str, Any]], int, str | None]:
    """Localities ranked for targeting, each with a ``motivo``; returns rows, total and period.
    ``reach`` gives the persons reached (exact by default; the publication's for the public);
    ``limit=None`` gives every row (downloads); ``geometry`` adds INEGI's point as GeoJSON."""
    if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidParameter(f"El límite debe estar entre 1 y {MAX_PAGE_SIZE}.")
    if offset < 0:
        raise InvalidParameter("El desplazamiento (offset) no puede ser negativo.")
    if f.poblacion_min is not None and f.poblacion_min < 0:
        raise InvalidParameter("La población mínima no puede ser negativa.")
    if f.cobertura_max is not None and not 0 <= f.cobertura_max <= 1:
        raise InvalidParameter("La cobertura máxima es una fracción entre 0 y 1 (0.1 = 10 %).")
    if f.municipio is not None and not _MUN_KEY.match(f.municipio):
        raise InvalidParameter(
            f"Clave de municipio no válida: {f.municipio!r}; use 5 dígitos, p. ej. 20067."
        )
    group = parse_group(f.grupo)
    by_period, version = _gap_version(conn)
    if not by_period:
        raise InvalidParameter(
            "Aún no hay cobertura calculada: ejecute «padron cobertura refrescar»."
        )
    periodo = f.periodo if f.periodo is not None else default_period(conn) or ""
    known = by_period.get(periodo, set())
    if not known:
        raise InvalidParameter(f"No hay cobertura calculada para el periodo {f.periodo!r}.")
    programas = sorted(
        {p.strip().upper() for v in f.programas or [] for p in v.split(",") if p.strip()}
    )
    if unknown := [p for p in programas if p not in known]:
        raise InvalidParameter(
            f"Programas sin cobertura en el periodo {periodo!r}: {', '.join(unknown)}. "
            f"Calculados: {', '.join(sorted(known)) or 'ninguno'}."
        )
    tables = _period_gaps(conn, periodo, version)
    if group.clave not in tables.localities["poblacion"].struct.fields:
        raise InvalidParameter(
            f"El grupo {group.clave!r} no está calculado; grupos estándar: "
            f"{', '.join(STANDARD_KEYS)} y los grupos objetivo de los programas."
        )
    if reach is exact_reach:
        ranking = tables.ranking(group.clave, programas)
    else:
        ranking = _rank(tables, reach(conn, periodo, programas, known), group.clave)
    ranked = _filter(ranking, f).with_row_index("lugar", offset=1)
    if f.bbox is not None:  # after the index: a locality keeps its place among the others
        west, south, east, north = f.bbox
        ranked = ranked.filter(
            pl.col("lon").is_between(west, east), pl.col("lat").is_between(south, north)
        )
    if f.cvegeo is not None:
        ranked = ranked.filter(pl.col("cvegeo") == f.cvegeo)
    expected = programas or sorted(known)
    items = []
    for row in ranked.slice(offset, limit).iter_rows(named=True):
        item = {k: v for k, v in row.items() if k not in _INTERNAL}
        item["suprimida"] = row["personas"] is None
        item["periodo"] = periodo or None
        item["grupo"] = group.clave
        item["programas_presentes"] = list(row["programas_presentes"] or [])
        item["programas_ausentes"] = [p for p in expected if p not in item["programas_presentes"]]
        item["motivo"] = motive(item, group.descripcion)
        if geometry:
            item["geometry"] = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        items.append(item)
    return items, ranked.height, periodo


_INTERNAL = frozenset(
    {"grado_orden", "programas_presentes", "distrito_clave", "region_clave", "lon", "lat"}
)
"""Columns of a ranking that are not part of an answer."""


def motive(item: dict[str, Any], group_description: str) -> str:
    """Why a locality ranks where it does, in Spanish."""
    parts = []
    if item.get("gm"):
        source = " ".join(
            str(x) for x in (item.get("fuente_marginacion"), item.get("anio_marginacion")) if x
        )
        parts.append(f"Marginación {item['gm']} ({source})")
    else:
        parts.append("Sin grado de marginación")
    population = item.get("poblacion_grupo")
    if item.get("suprimida"):
        parts.append("cobertura no publicada (pocas personas, o para no poder deducirlas)")
    elif population:
        who = (
            "hab."
            if group_description == "Población total"
            else f"hab. ({group_description.lower()})"
        )
        parts.append(f"cobertura {percent(item.get('cobertura'))} de {population:,.0f} {who}")
    else:
        parts.append("sin población censal del grupo")
    if item.get("programas_ausentes"):
        names = ", ".join(item["programas_ausentes"])
        parts.append(
            f"sin programa {names}"
            if len(item["programas_ausentes"]) == 1
            else f"sin programas {names}"
        )
    return "; ".join(parts)


def percent(fraction: float | None) -> str:
    """0.031 → '3 %', 0.004 → '0.4 %', 0 → '0 %' (rounded for reading, not for ranking)."""
    if not fraction:
        return "0 %"
    value = fraction * 100
    return f"{value:.1f} %" if value < 1 else f"{value:,.0f} %"
