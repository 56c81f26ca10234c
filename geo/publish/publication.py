"""The publication: every figure that leaves the service without a login, built in one place
from the coverage tables and suppressed once (``docs/publication.md``).

:func:`publish` runs after each coverage refresh (``geo.pipeline``) and writes, for every period,
program and area, the exact figure and whether it is suppressed (``analisis.cifra``,
``indicador``, ``bandera``); the ``publico`` views show suppressed values as NULL. Readers ask
for a table with ``exact=False`` (anyone: what ``publico`` shows) or ``exact=True`` (planners and
admins: the same rows with every value): :func:`cells`, :func:`indicators`, :func:`flags`. The
pages, JSON, downloads, tiles (``publico.cifras_cobertura``) and OGC collections all read them.

Columns of ``cifra``: each program (persons who receive it), ``*`` (persons who receive any:
each person once), ``2+`` (persons who receive two or more; from the municipality up) and
``A|B`` (persons who receive both A and B; the state only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, Engine, Select, case, delete, func, insert, literal, select
from sqlalchemy.orm import aliased

from boundaries.queries import parse_grades
from geo.coverage import tables as coverage
from geo.coverage.anomalies import untrusted_locations
from geo.coverage.rules import ProgramRules, violations
from geo.kernel.db import copy_rows, query, run_sql_file
from geo.kernel.errors import InvalidParameter
from geo.publish import tables as t
from geo.publish.suppression import Column, Grid, suppress

DEFAULT_K = 5
"""Counts of 1 to k-1 persons are never published (``PADRON_K_ANONIMATO`` overrides it)."""
ALL = "*"
SEVERAL = "2+"
LEVELS = ("estado", "region", "distrito", "municipio", "localidad")
"""The hierarchy, root first: each level's areas add up to their parent."""
NO_LOCALITY = "Sin localidad"
LOCK_KEY = "publico.cifra"
_ALL_DEPTHS = frozenset(range(len(LEVELS)))
_EVERY_PERIOD = "*"

CELL_COLUMNS = (
    "nivel", "clave", "nombre", "cvegeo_mun", "nom_mun", "distrito", "region", "programa",
    "periodo", "personas", "importe", "pobtot", "grupo", "poblacion", "cobertura", "gm",
    "fuente_marginacion", "anio_marginacion", "suprimida",
)  # fmt: skip
"""What :func:`cells` gives for each cell, in CSV order."""
CIFRA_COLUMNS = ("periodo", "programa", "nivel", "clave", "personas", "importe", "grupo",
                 "poblacion", "cobertura", "suprimida")  # fmt: skip
INDICADOR_COLUMNS = ("periodo", "programa", "indicador", "valor", "suprimida")
BANDERA_COLUMNS = ("cvegeo_mun", "bandera", "registros", "suprimida")


def pair(a: str, b: str) -> str:
    """The column of persons who receive both programs (keys in order)."""
    return "|".join(sorted((a, b)))


@dataclass(frozen=True)
class PublicationReport:
    """What :func:`publish` did."""

    k: int
    construida: bool
    """False when nothing changed since the last publication (same coverage, k and rules)."""
    periodos: int = 0
    celdas: int = 0
    primarias: int = 0
    """Cells of 1 to k-1 persons."""
    suprimidas: int = 0
    """Cells suppressed, primary and complementary."""


@dataclass(frozen=True)
class RegistryTally:
    """What the publication counts in the records themselves, not in coverage: the records
    with each quality flag by municipality, those with an untrusted place by program and
    period, and those held without a person by period. It reads the registry alone, so the
    pipeline takes it beside the coverage refresh (:func:`geo.pipeline.refresh_and_publish`)."""

    flags: list[tuple[str, str, int]]
    """(municipality, flag, records)"""
    untrusted: list[tuple[str, str, int]]
    """(period, program, records)"""
    held: list[tuple[str, int]]
    """(period, records)"""


def tally_registry(conn: Connection, *, one_core: bool = False) -> RegistryTally:
    """The :class:`RegistryTally` of the registry as ``conn`` sees it; ``one_core`` without
    parallel workers and merging in id order, for the rest of ``conn``'s transaction (beside
    other work)."""
    if one_core:
        run_sql_file(conn, "geo.publish", "one_core.sql")
    flags = conn.execute(query("geo.publish", "flags.sql"))
    untrusted = untrusted_locations(conn)
    held = conn.execute(query("geo.publish", "held.sql"))
    return RegistryTally(
        [(r.cvegeo_mun, r.bandera, int(r.registros)) for r in flags],
        untrusted,
        [(r.periodo, int(r.registros)) for r in held],
    )


def publish(
    engine: Engine,
    k: int = DEFAULT_K,
    rules: Mapping[str, ProgramRules] | None = None,
    *,
    force: bool = False,
    tally: RegistryTally | None = None,
) -> PublicationReport:
    """Rebuild the publication from the coverage tables (and the rules of operation, for the
    violation counts); a no-op when coverage, ``k`` and rules are what it was built from.
    ``tally`` is the registry's, if already taken (else it is taken here)."""
    with engine.begin() as conn:
        return publish_in(conn, k, rules, force=force, tally=tally)


def publish_in(
    conn: Connection,
    k: int = DEFAULT_K,
    rules: Mapping[str, ProgramRules] | None = None,
    *,
    force: bool = False,
    tally: RegistryTally | None = None,
) -> PublicationReport:
    """:func:`publish` in the caller's transaction (a batch's withdrawal, its coverage and its
    publication commit together)."""
    if k < 2:
        raise InvalidParameter("El umbral de supresión k debe ser al menos 2.")
    rules = dict(rules or {})
    conn.execute(query("geo.publish", "lock.sql"), {"k": LOCK_KEY})
    state = conn.execute(query("geo.publish", "state.sql")).scalar_one()
    described = {code: r.model_dump(mode="json") for code, r in sorted(rules.items())}
    huella = hashlib.sha256(json.dumps([k, state, described]).encode()).hexdigest()
    stored = conn.execute(select(t.publicacion.c.huella)).scalar_one_or_none()
    if stored == huella and not force:
        return PublicationReport(k, construida=False)
    tree = _Tree(conn)
    by_period: dict[str, list[str]] = defaultdict(list)
    for periodo, programa in conn.execute(query("geo.publish", "programs.sql")):
        by_period[periodo].append(programa)
    rows: list[tuple[Any, ...]] = []
    primary = 0
    for periodo, programas in sorted(by_period.items()):
        period_rows, sensitive = _period(conn, tree, periodo, programas, k)
        rows.extend(period_rows)
        primary += sensitive
    tally = tally or tally_registry(conn)
    statewide = list(_indicators(conn, by_period, rules, k, tally))
    by_municipality = list(_flags(tally, k))
    run_sql_file(conn, "geo.publish", "staging.sql")
    copy_rows(conn, "pg_temp", "cifra_nueva", CIFRA_COLUMNS, rows)
    copy_rows(conn, "pg_temp", "indicador_nueva", INDICADOR_COLUMNS, statewide)
    copy_rows(conn, "pg_temp", "bandera_nueva", BANDERA_COLUMNS, by_municipality)
    run_sql_file(conn, "geo.publish", "replace.sql")
    conn.execute(delete(t.publicacion))
    conn.execute(
        insert(t.publicacion).values(
            id=True, k=k, huella=huella, publicado_en=dt.datetime.now(dt.UTC)
        )
    )
    return PublicationReport(
        k,
        construida=True,
        periodos=len(by_period),
        celdas=len(rows),
        primarias=primary,
        suprimidas=sum(1 for row in rows if row[-1]),
    )


class _Tree:
    """Every area of the coverage tables as a tree, root first."""

    def __init__(self, conn: Connection) -> None:
        self.keys: list[tuple[str, str]] = []
        self.parents: list[int | None] = []
        self.pobtot: list[int | None] = []
        index: dict[tuple[str, str], int] = {}
        rows = conn.execute(query("geo.publish", "areas.sql")).all()
        region_state = {r.region: r.cvegeo_mun[:2] for r in rows if r.nivel == "municipio"}
        for row in rows:
            above = {
                "estado": [],
                "region": [("estado", region_state.get(row.clave))],
                "distrito": [("region", row.region)],
                "municipio": [
                    ("distrito", row.distrito),
                    ("region", row.region),
                    ("estado", row.clave[:2]),
                ],
                "localidad": [("municipio", row.cvegeo_mun)],
            }[row.nivel]
            parent = next((index[key] for key in above if key in index), None)
            if parent is None and row.nivel != "estado":
                continue  # an area outside the loaded hierarchy: no published figure
            index[(row.nivel, row.clave)] = len(self.keys)
            self.keys.append((row.nivel, row.clave))
            self.parents.append(parent)
            self.pobtot.append(row.pobtot)
        self.index = index
        self.municipality = {
            i: i if nivel == "municipio" else index[("municipio", self.keys[i][1][:5])]
            for i, (nivel, _) in enumerate(self.keys)
            if nivel in ("municipio", "localidad")
        }
        """Municipality of each municipality and locality."""


def _all_of(bits: int) -> Callable[[int], bool]:
    return lambda mask: mask & bits == bits


def _columns(programas: Sequence[str]) -> list[Column]:
    """Each program, ``*``, and with two programs or more ``2+`` and each pair."""
    columns = [Column(p, _all_of(1 << i), _ALL_DEPTHS, 1 << i) for i, p in enumerate(programas)]
    columns.append(Column(ALL, bool, _ALL_DEPTHS))
    if len(programas) > 1:
        above_localities = _ALL_DEPTHS - {LEVELS.index("localidad")}
        columns.append(Column(SEVERAL, lambda mask: mask.bit_count() > 1, above_localities))
        for (i, a), (j, b) in combinations(enumerate(programas), 2):
            columns.append(Column(pair(a, b), _all_of((1 << i) | (1 << j)), frozenset({0})))
    return columns


@dataclass
class _Leaves:
    """One period's tree: the areas, plus a leaf per municipality for its persons placed
    without a locality, and the persons and amounts of each leaf by set of programs."""

    keys: list[tuple[str, str]]
    parents: list[int | None]
    pobtot: list[int | None]
    persons: dict[int, dict[int, int]]
    paid: dict[int, dict[int, Decimal]]
    no_locality: dict[int, int]
    """Municipality → its "sin localidad" leaf."""

    @classmethod
    def read(cls, conn: Connection, tree: _Tree, periodo: str, bits: dict[str, int]) -> _Leaves:
        leaves = cls(list(tree.keys), list(tree.parents), list(tree.pobtot), {}, {}, {})
        persons: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        paid: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        rest: dict[int, dict[int, list[Any]]] = defaultdict(dict)
        for row in conn.execute(query("geo.publish", "leaves.sql"), {"periodo": periodo}):
            area = tree.index.get((row.nivel, row.clave))
            if area is None:
                continue
            mask = sum(bits[p] for p in row.programas)
            municipality, sign = area, 1
            if row.nivel == "localidad":
                persons[area][mask] += row.personas
                paid[area][mask] += row.importe
                municipality, sign = tree.municipality[area], -1
            found = rest[municipality].setdefault(mask, [0, Decimal(0)])
            found[0] += sign * row.personas
            found[1] += sign * row.importe
        for municipality, sets in sorted(rest.items()):
            if not any(n for n, _ in sets.values()):
                continue
            leaf = leaves.add(municipality)
            for mask, (n, amount) in sets.items():
                if n:
                    persons[leaf][mask] = n
                    paid[leaf][mask] = amount
        leaves.persons = {leaf: dict(sets) for leaf, sets in persons.items()}
        leaves.paid = {leaf: dict(sets) for leaf, sets in paid.items()}
        return leaves

    def add(self, municipality: int) -> int:
        leaf = len(self.keys)
        self.no_locality[municipality] = leaf
        self.keys.append(("localidad", self.keys[municipality][1]))
        self.parents.append(municipality)
        self.pobtot.append(None)
        return leaf


def _period(
    conn: Connection, tree: _Tree, periodo: str, programas: list[str], k: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The period's cells (rows of ``analisis.cifra``) and how many are primary."""
    bits = {p: 1 << i for i, p in enumerate(programas)}
    leaves = _Leaves.read(conn, tree, periodo, bits)
    columns = _columns(programas)
    grid = Grid(leaves.parents, leaves.persons, columns)
    suppressed = suppress(grid, k)
    several_paid = [Decimal(0)] * len(leaves.keys)
    for leaf, sets in leaves.paid.items():
        amount = sum((v for m, v in sets.items() if m.bit_count() > 1), Decimal(0))
        for above in grid.path(leaf):
            several_paid[above] += amount
    measured: dict[tuple[str, int], Any] = {}
    program_paid: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in conn.execute(query("geo.publish", "coverage.sql"), {"periodo": periodo}):
        area = tree.index.get((row.nivel, row.clave))
        if area is None:
            continue
        measured[(row.programa, area)] = row
        program_paid[(row.programa, area)] += row.importe
        municipality = tree.municipality.get(area, -1)
        if municipality in leaves.no_locality:
            sign = 1 if municipality == area else -1
            program_paid[(row.programa, leaves.no_locality[municipality])] += sign * row.importe
    rows: list[tuple[Any, ...]] = []
    for area, (nivel, clave) in enumerate(leaves.keys):
        if nivel == "localidad" and not (grid.values[area] > 0).any():
            continue  # a locality without persons in the period is left out: absent means 0
        population = leaves.pobtot[area]
        for j, column in enumerate(columns):
            value = int(grid.values[area, j])
            if value < 0:
                continue
            importe: Decimal | None = None
            grupo: str | None = None
            poblacion: float | None = None
            ratio: float | None = None
            if column.name in bits:
                importe = program_paid[(column.name, area)]
                found = measured.get((column.name, area))
                if found is not None:
                    grupo, poblacion, ratio = found.grupo, found.poblacion_grupo, found.cobertura
            elif column.name == ALL:
                importe = sum((program_paid[(p, area)] for p in programas), Decimal(0))
                grupo, poblacion = "total", population
                ratio = value / population if population else None
            elif column.name == SEVERAL:
                importe = several_paid[area]
            rows.append((periodo, column.name, nivel, clave, value, importe, grupo, poblacion,
                         ratio, bool(suppressed[area, j])))  # fmt: skip
    sensitive = int(((grid.values >= 1) & (grid.values < k)).sum())
    return rows, sensitive


def _series(
    name: tuple[str, str], counts: Mapping[str, int], k: int, total: bool
) -> Iterator[tuple[str, str, str, int, bool]]:
    """One statewide count per period (and, with ``total``, the sum over periods as period
    ``*``), suppressed like a two-level table: the periods add up to their sum."""
    periods = sorted(counts)
    grid = Grid(
        [None, *[0] * len(periods)],
        {i + 1: {1: counts[q]} for i, q in enumerate(periods) if counts[q]},
        [Column(name[1], lambda mask: mask == 1, frozenset({0, 1} if total else {1}))],
    )
    suppressed = suppress(grid, k)
    for i, q in enumerate(periods):
        yield q, name[0], name[1], counts[q], bool(suppressed[i + 1, 0])
    if total:
        yield _EVERY_PERIOD, name[0], name[1], int(grid.values[0, 0]), bool(suppressed[0, 0])


def _indicators(
    conn: Connection,
    by_period: Mapping[str, list[str]],
    rules: Mapping[str, ProgramRules],
    k: int,
    tally: RegistryTally,
) -> Iterator[tuple[str, str, str, Decimal | int, bool]]:
    """Statewide indicators: rule violations per program (per period and over all periods),
    repeated listings and their amount, untrusted places, records held for review."""
    periods_of: dict[str, list[str]] = defaultdict(list)
    for periodo, programas in by_period.items():
        for programa in programas:
            periods_of[programa].append(periodo)
    for programa, program_rules in sorted(rules.items()):
        if programa not in periods_of:
            continue
        found = {q: violations(conn, program_rules, periodo=q) for q in periods_of[programa] if q}
        every = violations(conn, program_rules)
        if "" in periods_of[programa]:
            found[""] = every
            for q, v in list(found.items()):
                if q:
                    found[""] = _minus(found[""], v)
        series: dict[str, dict[str, int]] = defaultdict(dict)
        for q, v in found.items():
            series["registros"][q] = v.registros
            series["con_violacion"][q] = v.registros_con_violacion
            for rule in {r for v in found.values() for r in v.por_regla}:
                series[f"regla:{rule}"][q] = v.por_regla.get(rule, 0)
        for indicador, counts in sorted(series.items()):
            for row in _series((programa, indicador), counts, k, total=True):
                # The records checked are every record of the program, placed or not; beside
                # the persons placed they would give how many were not: never published.
                yield (*row[:4], row[4] or indicador == "registros")
    repeated: dict[str, dict[str, int]] = defaultdict(dict)
    repeated_paid: dict[tuple[str, str], Decimal] = {}
    states = select(
        coverage.cobertura.c.periodo, coverage.cobertura.c.programa, coverage.cobertura.c.personas,
        coverage.cobertura.c.registros, coverage.cobertura.c.importe_repetido,
    ).where(coverage.cobertura.c.nivel == "estado")  # fmt: skip
    for row in conn.execute(states):
        repeated[row.programa][row.periodo] = row.registros - row.personas
        repeated_paid[(row.periodo, row.programa)] = row.importe_repetido
    for programa, counts in sorted(repeated.items()):
        for q, _, _, value, hidden in _series((programa, "inscripciones_repetidas"), counts, k,
                                              total=False):  # fmt: skip
            yield q, programa, "inscripciones_repetidas", value, hidden
            yield q, programa, "importe_repetido", repeated_paid[(q, programa)], hidden
    for periodo, programa, count in tally.untrusted:
        yield periodo, programa, "ubicacion_no_confiable", count, 0 < count < k
    for periodo, count in tally.held:
        yield periodo, ALL, "registros_retenidos", count, 0 < count < k


def _minus(a: Any, b: Any) -> Any:
    """Violation counts ``a - b`` (the records without a period: all minus the named ones)."""
    return type(a)(
        programa=a.programa,
        registros=a.registros - b.registros,
        por_regla={r: n - b.por_regla.get(r, 0) for r, n in a.por_regla.items()},
        registros_con_violacion=a.registros_con_violacion - b.registros_con_violacion,
        detalle=[],
    )


def _flags(tally: RegistryTally, k: int) -> Iterator[tuple[str, str, int, bool]]:
    """Records per municipality and quality flag; no total is published beside them, so only
    counts under k are suppressed."""
    for cvegeo_mun, bandera, count in tally.flags:
        yield cvegeo_mun, bandera, count, count < k


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellFilter:
    """Which published cells to read."""

    nivel: str | None = None
    periodo: str | None = None
    programa: str | None = None
    """A program key, ``*``, ``2+`` or ``A|B``; None: every program and ``*``."""
    clave: str | None = None
    municipio: str | None = None
    distrito: str | None = None
    region: str | None = None
    grados: Sequence[str] | None = None

    def check(self) -> None:
        """Raise :class:`InvalidParameter` with a Spanish message for a value out of range."""
        if self.nivel is not None and self.nivel not in LEVELS:
            raise InvalidParameter(
                f"Nivel desconocido: {self.nivel!r}. Válidos: {', '.join(LEVELS)}."
            )
        if self.municipio is not None and not (
            len(self.municipio) == 5 and self.municipio.isdigit()
        ):
            raise InvalidParameter(
                f"Clave de municipio no válida: {self.municipio!r}; use 5 dígitos, p. ej. 20067."
            )


def _geometry(area: Any, tolerance: float) -> Any:
    """GeoJSON of an area: INEGI's point for a locality, a simplified polygon otherwise."""
    shape = case(
        (area.c.nivel == "localidad", area.c.geom),
        else_=func.ST_SimplifyPreserveTopology(area.c.geom, tolerance),
    )
    return func.ST_AsGeoJSON(shape, 6)


def cells_query(
    f: CellFilter, exact: bool, geometry: bool = False, tolerance: float = 0.001
) -> Select[Any]:
    """The statement behind :func:`cells` (columns :data:`CELL_COLUMNS`), for readers that
    join it further (the OGC collections)."""
    f.check()
    c = t.cifra if exact else t.cifra_publica
    own = coverage.area.alias("propia")
    mun = aliased(coverage.area, name="municipio")
    no_locality = (c.c.nivel == "localidad") & (func.length(c.c.clave) == 5)
    query_ = select(
        c.c.nivel,
        c.c.clave,
        case((no_locality, literal(NO_LOCALITY)), else_=own.c.nombre).label("nombre"),
        func.coalesce(own.c.cvegeo_mun, mun.c.clave).label("cvegeo_mun"),
        func.coalesce(own.c.nom_mun, mun.c.nombre).label("nom_mun"),
        func.coalesce(own.c.distrito, mun.c.distrito).label("distrito"),
        func.coalesce(own.c.region, mun.c.region).label("region"),
        c.c.programa,
        c.c.periodo,
        c.c.personas,
        c.c.importe,
        own.c.pobtot,
        c.c.grupo,
        c.c.poblacion,
        c.c.cobertura,
        own.c.gm,
        own.c.fuente_marginacion,
        own.c.anio_marginacion,
        c.c.suprimida,
        *([_geometry(own, tolerance).label("geometry")] if geometry else []),
    ).select_from(
        c.outerjoin(own, (own.c.nivel == c.c.nivel) & (own.c.clave == c.c.clave)).outerjoin(
            mun, no_locality & (mun.c.nivel == "municipio") & (mun.c.clave == c.c.clave)
        )
    )
    if f.nivel is not None:
        query_ = query_.where(c.c.nivel == f.nivel)
    if f.periodo is not None:
        query_ = query_.where(c.c.periodo == f.periodo)
    if f.programa:
        programa = f.programa.strip()
        query_ = query_.where(c.c.programa == (programa if "|" in programa else programa.upper()))
    else:
        query_ = query_.where(c.c.programa != SEVERAL, ~c.c.programa.contains("|"))
    if f.clave:
        query_ = query_.where(c.c.clave == f.clave)
    if f.municipio:
        query_ = query_.where(func.coalesce(own.c.cvegeo_mun, mun.c.clave) == f.municipio)
    if f.distrito:
        query_ = query_.where(
            func.lower(func.coalesce(own.c.distrito, mun.c.distrito)) == f.distrito.lower()
        )
    if f.region:
        query_ = query_.where(
            func.lower(func.coalesce(own.c.region, mun.c.region)) == f.region.lower()
        )
    if grades := parse_grades(f.grados):
        query_ = query_.where(own.c.gm.in_(grades))
    depth = case({level: i for i, level in enumerate(LEVELS)}, value=c.c.nivel)
    return query_.order_by(c.c.periodo, c.c.programa, depth, c.c.clave)


def cells(
    conn: Connection,
    f: CellFilter,
    *,
    exact: bool,
    limit: int | None = None,
    offset: int = 0,
    geometry: bool = False,
    tolerance: float = 0.001,
) -> tuple[list[dict[str, Any]], int]:
    """Published cells (``exact``: every value, for planners and admins) and how many matched;
    with ``geometry``, each area's GeoJSON (polygons simplified by ``tolerance`` degrees)."""
    if offset < 0:
        raise InvalidParameter("El desplazamiento (offset) no puede ser negativo.")
    if not 0 <= tolerance <= 0.1:
        raise InvalidParameter("La tolerancia de simplificación debe estar entre 0 y 0.1 grados.")
    query_ = cells_query(f, exact, geometry, tolerance)
    total = conn.execute(select(func.count()).select_from(query_.order_by(None).subquery()))
    found = conn.execute(query_.limit(limit).offset(offset)).mappings()
    return [_cell(r) for r in found], int(total.scalar_one())


def iter_cells(conn: Connection, f: CellFilter, *, exact: bool) -> Iterator[dict[str, Any]]:
    """Every matching cell, streamed (for downloads)."""
    found = conn.execution_options(stream_results=True, yield_per=5000).execute(
        cells_query(f, exact)
    )
    for row in found.mappings():
        yield _cell(row)


def _cell(row: Any) -> dict[str, Any]:
    item = dict(row)
    if item["importe"] is not None:
        item["importe"] = float(item["importe"])
    if item.get("geometry") is not None:
        item["geometry"] = json.loads(item["geometry"])
    return item


def state_figures(conn: Connection, periodo: str, *, exact: bool) -> dict[str, dict[str, Any]]:
    """Every column of the state in a period (programs, ``*``, ``2+``, pairs): persons and
    amount."""
    c = t.cifra if exact else t.cifra_publica
    found = conn.execute(
        select(c.c.programa, c.c.personas, c.c.importe).where(
            (c.c.nivel == "estado") & (c.c.periodo == periodo)
        )
    )
    return {
        row.programa: {
            "personas": row.personas,
            "importe": None if row.importe is None else float(row.importe),
        }
        for row in found
    }


def indicators(
    conn: Connection, periodo: str, *, exact: bool
) -> dict[tuple[str, str], float | int | None]:
    """(program, indicator) → value of one period (``*``: over all periods, where published);
    suppressed values are None unless ``exact``."""
    i = t.indicador if exact else t.indicador_publico
    found = conn.execute(
        select(i.c.programa, i.c.indicador, i.c.valor).where(i.c.periodo == periodo)
    )
    return {(p, name): _number(v) for p, name, v in found}


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def flags(conn: Connection, municipio: str | None, *, exact: bool) -> list[dict[str, Any]]:
    """Records with each quality flag per municipality (suppressed counts None unless
    ``exact``), with the municipality's name."""
    b = t.bandera if exact else t.bandera_publica
    a = coverage.area
    query_ = (
        select(
            b.c.cvegeo_mun, a.c.nombre.label("municipio"), b.c.bandera, b.c.registros, b.c.suprimida
        )
        .select_from(b.join(a, (a.c.nivel == "municipio") & (a.c.clave == b.c.cvegeo_mun)))
        .order_by(b.c.cvegeo_mun, b.c.bandera)
    )
    if municipio is not None:
        query_ = query_.where(b.c.cvegeo_mun == municipio)
    return [dict(r) for r in conn.execute(query_).mappings()]


def published_k(conn: Connection) -> int | None:
    """The k the publication was built with (None before the first publication)."""
    value = conn.execute(query("geo.publish", "published_k.sql")).scalar_one_or_none()
    return None if value is None else int(value)
