"""Read queries over ``analisis``: coverage tables, gap ranking, what has been computed."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import Connection, Select, func, select, text

from boundaries.queries import MAX_PAGE_SIZE, parse_grades
from geo.coverage import tables as a
from geo.coverage.groups import STANDARD_KEYS, parse_group
from geo.errors import InvalidParameter

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


def newest_period(conn: Connection) -> str | None:
    """The latest period with coverage (periods sort as text: 2024, 2024-T1...)."""
    value = conn.execute(select(func.max(a.refresco.c.periodo))).scalar_one_or_none()
    return None if value is None else str(value)


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


_GAPS_SQL = """
WITH alcance AS (
    SELECT clave, sum(personas) AS personas
    FROM analisis.combinacion
    WHERE periodo = :periodo AND nivel = 'localidad'
      AND (CAST(:programas AS text[]) IS NULL OR programas && CAST(:programas AS text[]))
    GROUP BY clave
),
candidatas AS (
    SELECT ar.clave AS cvegeo, ar.nombre AS nom_loc, ar.cvegeo_mun, ar.nom_mun, ar.distrito,
           ar.region, ar.pobtot, ar.gm, ar.grado_orden, ar.fuente_marginacion,
           ar.anio_marginacion, (ar.poblacion ->> :grupo)::float8 AS poblacion_grupo,
           coalesce(x.personas, 0) AS personas
    FROM analisis.area ar LEFT JOIN alcance x ON x.clave = ar.clave
    WHERE ar.nivel = 'localidad' {where}
),
medidas AS (
    SELECT *, personas / nullif(poblacion_grupo, 0) AS cobertura FROM candidatas
),
pagina AS (
    SELECT *, count(*) OVER () AS total FROM medidas
    WHERE (CAST(:cobertura_max AS float8) IS NULL OR coalesce(cobertura, 0) <= :cobertura_max)
    ORDER BY grado_orden DESC, coalesce(cobertura, 0), poblacion_grupo DESC NULLS LAST, cvegeo
    LIMIT :limite OFFSET :desplazamiento
)
SELECT pagina.*,
       (SELECT array_agg(DISTINCT p ORDER BY p)
        FROM analisis.combinacion c CROSS JOIN LATERAL unnest(c.programas) AS p
        WHERE c.periodo = :periodo AND c.nivel = 'localidad' AND c.clave = pagina.cvegeo)
           AS presentes
FROM pagina
ORDER BY grado_orden DESC, coalesce(cobertura, 0), poblacion_grupo DESC NULLS LAST, cvegeo
"""
"""Ranking: marginality grade (Muy alto first), then lowest coverage, then largest population
of the group. ``analisis.combinacion`` gives exact union counts for any set of programs."""


def gaps(
    conn: Connection, f: GapFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int, str | None]:
    """Localities ranked for targeting, each with a ``motivo``; returns rows, total and period."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
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
    by_period: dict[str, set[str]] = {}
    for period_value, program in conn.execute(select(a.refresco.c.periodo, a.refresco.c.programa)):
        by_period.setdefault(period_value, set()).add(program)
    if not by_period:
        raise InvalidParameter(
            "Aún no hay cobertura calculada: ejecute «padron cobertura refrescar»."
        )
    periodo = f.periodo if f.periodo is not None else max(by_period)
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
    where: list[str] = []
    params: dict[str, Any] = {}
    if grades := parse_grades(f.grados):
        where.append("ar.gm = ANY(CAST(:grados AS text[]))")
        params["grados"] = grades
    if f.poblacion_min is not None:
        where.append("ar.pobtot >= :poblacion_min")
        params["poblacion_min"] = f.poblacion_min
    for name in ("municipio", "distrito", "region"):
        value = getattr(f, name)
        if value:
            column = "ar.cvegeo_mun" if name == "municipio" else f"lower(ar.{name})"
            where.append(f"{column} = :{name}")
            params[name] = value if name == "municipio" else value.lower()
    has_group = (
        group.clave in STANDARD_KEYS
        or conn.execute(
            select(a.area.c.poblacion.has_key(group.clave))
            .where(a.area.c.nivel == "localidad")
            .limit(1)
        ).scalar_one_or_none()
    )
    if not has_group:
        raise InvalidParameter(
            f"El grupo {group.clave!r} no está calculado; grupos estándar: "
            f"{', '.join(STANDARD_KEYS)} y los grupos objetivo de los programas."
        )
    sql = _GAPS_SQL.format(where="".join(f" AND {w}" for w in where))
    rows = (
        conn.execute(
            text(sql),
            {
                **params,
                "periodo": periodo,
                "programas": programas or None,
                "grupo": group.clave,
                "cobertura_max": f.cobertura_max,
                "limite": limit,
                "desplazamiento": offset,
            },
        )
        .mappings()
        .all()
    )
    total = int(rows[0]["total"]) if rows else 0
    expected = programas or sorted(known)
    items = []
    for rank, row in enumerate(rows, start=offset + 1):
        item = {k: v for k, v in row.items() if k not in {"total", "grado_orden", "presentes"}}
        item["lugar"] = rank
        item["periodo"] = periodo or None
        item["grupo"] = group.clave
        item["programas_presentes"] = list(row["presentes"] or [])
        item["programas_ausentes"] = [p for p in expected if p not in item["programas_presentes"]]
        item["motivo"] = motive(item, group.descripcion)
        items.append(item)
    return items, total, periodo


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
    if population:
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
