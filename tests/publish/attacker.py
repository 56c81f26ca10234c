"""An attacker of the publication, written apart from it: from what ``publico`` shows (the
published figures, which cells are suppressed, the public hierarchy of areas), bound every
suppressed cell with linear programming (``scipy.optimize.linprog``, HiGHS) and report the
cells of 1 to k-1 persons whose value is pinned to one integer.

The model is everything the publication implies: persons live in leaves (a locality, or a
municipality's "sin localidad"), each with a set of programs; a latent count ``y[leaf, set] >= 0``
per leaf and non-empty set; every cell is the sum of the latent counts below its area whose set
its column covers (a program, ``*`` any, ``2+`` two or more, ``A|B`` both); a published cell
equals its value and a suppressed one is at least 1 (zeros are published). Amounts are linear
unknowns: a suppressed amount is recovered when the published amounts determine it through the
hierarchy and "all programs = sum of programs" (a rank test on each connected block).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy.optimize import linprog
from sqlalchemy import Connection, text

Cell = tuple[str, str, str]
"""(nivel, clave, columna)."""

_PUBLIC_CELLS = text(
    "SELECT nivel, clave, programa, personas, importe, suprimida FROM publico.cifra "
    "WHERE periodo = :periodo"
)
_PUBLIC_AREAS = text("SELECT nivel, clave, cvegeo_mun, distrito, region FROM publico.area")
_EXACT = text(
    "SELECT nivel, clave, programa, personas FROM analisis.cifra WHERE periodo = :periodo"
)


@dataclass
class Publication:
    """One period as the public sees it."""

    programs: list[str]
    counts: dict[Cell, int | None]
    amounts: dict[Cell, float | None]
    parent: dict[tuple[str, str], tuple[str, str] | None]
    leaves: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection, periodo: str) -> Publication:
        counts: dict[Cell, int | None] = {}
        amounts: dict[Cell, float | None] = {}
        for row in conn.execute(_PUBLIC_CELLS, {"periodo": periodo}):
            cell = (row.nivel, row.clave, row.programa)
            counts[cell] = None if row.suprimida else row.personas
            amounts[cell] = None if row.importe is None else float(row.importe)
            if row.suprimida:
                assert row.personas is None and row.importe is None
        areas = conn.execute(_PUBLIC_AREAS).all()
        state_of = {r.region: r.cvegeo_mun[:2] for r in areas if r.nivel == "municipio"}
        parent: dict[tuple[str, str], tuple[str, str] | None] = {}
        for r in areas:
            parent[(r.nivel, r.clave)] = {
                "estado": None,
                "region": ("estado", state_of.get(r.clave, "")),
                "distrito": ("region", r.region),
                "municipio": ("distrito", r.distrito),
                "localidad": ("municipio", r.cvegeo_mun),
            }[r.nivel]
        for nivel, clave, _ in counts:
            if nivel == "localidad" and len(clave) == 5:  # "sin localidad" of a municipality
                parent[(nivel, clave)] = ("municipio", clave)
        return cls.of(counts, amounts, parent)

    @classmethod
    def of(
        cls,
        counts: dict[Cell, int | None],
        amounts: dict[Cell, float | None],
        parent: dict[tuple[str, str], tuple[str, str] | None],
    ) -> Publication:
        """A publication from its cells (None: suppressed) and the hierarchy of its areas."""
        programs = sorted({c for _, _, c in counts if c not in ("*", "2+") and "|" not in c})
        publication = cls(programs, counts, amounts, parent)
        for area in {(n, c) for n, c, _ in counts if n == "localidad"}:
            node: tuple[str, str] | None = area
            while node is not None:
                publication.leaves.setdefault(node, []).append(area)
                node = parent.get(node)
        return publication

    def covers(self, column: str, subset: frozenset[str]) -> bool:
        if column == "*":
            return True
        if column == "2+":
            return len(subset) > 1
        return set(column.split("|")) <= subset


def exact_counts(conn: Connection, periodo: str) -> dict[Cell, int]:
    """What the test knows and the attacker does not: every true count."""
    return {(r.nivel, r.clave, r.programa): r.personas
            for r in conn.execute(_EXACT, {"periodo": periodo})}  # fmt: skip


@dataclass
class Attack:
    """What the attacker pinned down."""

    counts: list[tuple[Cell, int]]
    """Suppressed cells of 1 to k-1 persons whose value is one integer: must be empty."""
    amounts: list[Cell]
    """Suppressed amounts determined by the published ones: must be empty."""
    suppressed: int
    sensitive: int
    narrowest: float
    """The narrowest interval found around a sensitive cell (max - min of the LP bounds)."""


def attack(publication: Publication, exact: dict[Cell, int], k: int) -> Attack:
    """Bound every suppressed cell of 1 to k-1 persons (see the module)."""
    hidden = [c for c, v in publication.counts.items() if v is None]
    sensitive = {c for c in hidden if 1 <= exact[c] < k}
    low = {c: float(exact[c]) for c in sensitive}
    high = dict(low)
    for root, block, constants in _blocks(publication):
        _bound(publication, root, block, constants, sensitive, low, high)
    recovered = sorted((c, exact[c]) for c in sensitive if not _two_integers(low[c], high[c]))
    narrowest = min((high[c] - low[c] for c in sensitive), default=math.inf)
    return Attack(recovered, _amounts(publication), len(hidden), len(sensitive), narrowest)


def _known(publication: Publication, area: tuple[str, str], column: str) -> int | None:
    """The published persons of ``area`` in ``column``, also where the column is published only
    higher up but follows from what the area publishes (with two programs, both = two or more)."""
    value = publication.counts.get((*area, column))
    if value is None and "|" in column and len(publication.programs) == 2:
        value = publication.counts.get((*area, "2+"))
    return value


def _closed(publication: Publication, area: tuple[str, str]) -> bool:
    """Every column of the publication is published for the area, or follows from it."""
    columns = {col for _, _, col in publication.counts}
    return all(_known(publication, area, col) is not None for col in columns)


def _blocks(
    publication: Publication,
) -> list[tuple[tuple[str, str] | None, list[tuple[str, str]], set[tuple[str, str]]]]:
    """Independent parts of the problem: with two programs or fewer, the latent counts of a
    leaf are bound to the outside only through its lowest ancestor whose every column is known
    (from the municipality up), so each such ancestor with the leaves that reach it first is a
    block; with more programs, one block. Returns the root (None: the
    whole state), the leaves and the fully published areas, constants inside the block."""
    leaves = sorted({(n, c) for n, c, _ in publication.counts if n == "localidad"})
    if len(publication.programs) > 2:
        return [(None, leaves, set())]
    closed: dict[tuple[str, str], bool] = {}
    groups: dict[tuple[str, str] | None, list[tuple[str, str]]] = defaultdict(list)
    for leaf in leaves:
        node = publication.parent.get(leaf)
        while node is not None:
            if node not in closed:
                closed[node] = _closed(publication, node)
            if closed[node]:
                break
            node = publication.parent.get(node)
        groups[node].append(leaf)
    shut = {a for a, is_closed in closed.items() if is_closed}
    return [(root, members, shut - {root}) for root, members in groups.items()]


def _bound(
    publication: Publication,
    root: tuple[str, str] | None,
    leaves: list[tuple[str, str]],
    constants: set[tuple[str, str]],
    sensitive: set[Cell],
    low: dict[Cell, float],
    high: dict[Cell, float],
) -> None:
    """Widen ``low``/``high`` of the block's sensitive cells to their LP bounds (as far as
    needed to show two integers)."""
    parent = publication.parent
    sets = [
        frozenset(c)
        for size in range(1, len(publication.programs) + 1)
        for c in combinations(publication.programs, size)
    ]
    dead = {(n, c) for n, c, col in publication.counts
            if n == "localidad" and col == "*" and publication.counts[(n, c, col)] == 0}  # fmt: skip
    live = [leaf for leaf in leaves if leaf not in dead]
    variable = {(leaf, s): i for i, (leaf, s) in enumerate((x, s) for x in live for s in sets)}
    areas: set[tuple[str, str]] = set()
    for leaf in leaves:
        node: tuple[str, str] | None = leaf
        while node is not None:
            areas.add(node)
            node = None if node == root else parent.get(node)
    columns = {col for _, _, col in publication.counts}
    constant: dict[Cell, float] = defaultdict(float)
    for closed in constants:  # published areas inside the block add known persons above them
        node = parent.get(closed)
        while node is not None and node not in areas and node not in constants:
            node = parent.get(node)
        while node in areas:
            for column in columns:
                constant[(*node, column)] += _known(publication, closed, column) or 0
            node = None if node == root else parent.get(node)  # type: ignore[arg-type]
    rows: dict[Cell, tuple[dict[int, float], float]] = {}
    live_set = set(live)
    for cell in publication.counts:
        nivel, clave, column = cell
        if (nivel, clave) not in areas:
            continue
        coefficients = {
            variable[(leaf, s)]: 1.0
            for leaf in publication.leaves.get((nivel, clave), [])
            if leaf in live_set
            for s in sets
            if publication.covers(column, s)
        }
        rows[cell] = (coefficients, constant[cell])
    published = [c for c in rows if publication.counts[c] is not None]
    hidden = [c for c in rows if publication.counts[c] is None]
    a_eq = _matrix([rows[c][0] for c in published], len(variable))
    b_eq = np.array([publication.counts[c] - rows[c][1] for c in published], dtype=float)  # type: ignore[operator]
    a_ub = _matrix([rows[c][0] for c in hidden], len(variable))
    b_ub = np.array([rows[c][1] - 1 for c in hidden], dtype=float)
    targets = [c for c in hidden if c in sensitive]

    def value(cell: Cell, x: np.ndarray) -> float:
        coefficients, constant = rows[cell]
        return constant + sum(x[i] * w for i, w in coefficients.items())

    def solve(objective: dict[int, float]) -> np.ndarray | None:
        """A vertex minimising ``objective``; None when it decreases without end."""
        c = np.zeros(len(variable))
        for i, w in objective.items():
            c[i] = w
        result = linprog(c, A_ub=-a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                         method="highs")  # fmt: skip
        if result.status == 3:
            return None
        assert result.status == 0, result.message
        return np.asarray(result.x)

    def widen(cell: Cell, x: np.ndarray | None, sense: float = 0.0) -> None:
        v = value(cell, x) if x is not None else -sense * math.inf
        low[cell], high[cell] = min(low[cell], v), max(high[cell], v)

    pending = set(targets)
    rng = np.random.default_rng(7)
    for _ in range(8):  # many cells at once, each pushed up or down at random
        if not pending:
            break
        objective: dict[int, float] = defaultdict(float)
        for c in pending:
            weight = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)
            for i, w in rows[c][0].items():
                objective[i] += weight * w
        x = solve(objective)
        if x is None:
            continue
        for c in list(pending):
            widen(c, x)
            if _two_integers(low[c], high[c]):
                pending.discard(c)
    for c in sorted(pending):  # the rest one at a time
        for sense in (-1.0, 1.0):
            widen(c, solve({i: sense * w for i, w in rows[c][0].items()}), sense)


def _two_integers(low: float, high: float) -> bool:
    if math.isinf(low) or math.isinf(high):
        return True
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) >= 1


def _matrix(rows: list[dict[int, float]], width: int) -> scipy.sparse.csr_matrix:
    data, indices, pointers = [], [], [0]
    for row in rows:
        indices.extend(row)
        data.extend(row.values())
        pointers.append(len(indices))
    return scipy.sparse.csr_matrix((data, indices, pointers), shape=(len(rows), width))


def _amounts(publication: Publication) -> list[Cell]:
    """Suppressed amounts that the published amounts determine: unknowns are the suppressed
    amounts; equations are each column's hierarchy (parent = sum of children) and each area's
    "all programs = sum of programs"; a cell is determined when it is orthogonal to the null
    space of its connected block."""
    amounts = publication.amounts
    unknown = sorted(c for c in amounts if publication.counts[c] is None and "|" not in c[2])
    index = {c: i for i, c in enumerate(unknown)}
    equations: list[dict[Cell, float]] = []
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for area in {(n, c) for n, c, _ in amounts}:
        above = publication.parent.get(area)
        if above is not None:
            children[above].append(area)
    columns = {c for _, _, c in amounts if "|" not in c}
    for above, below in children.items():
        for column in columns:
            if (*above, column) in amounts and any((*b, column) in amounts for b in below):
                equation = {(*above, column): -1.0}
                equation.update({(*b, column): 1.0 for b in below if (*b, column) in amounts})
                equations.append(equation)
    for area in {(n, c) for n, c, _ in amounts}:
        if (*area, "*") in amounts:
            equation = {(*area, "*"): -1.0}
            equation.update({(*area, p): 1.0 for p in publication.programs})
            equations.append(equation)
    # Keep the unknown part of each equation and join unknowns that share one.
    parent_of = list(range(len(unknown)))

    def find(i: int) -> int:
        while parent_of[i] != i:
            parent_of[i] = parent_of[parent_of[i]]
            i = parent_of[i]
        return i

    reduced = []
    for equation in equations:
        members = [index[c] for c in equation if c in index]
        if members:
            reduced.append({index[c]: w for c, w in equation.items() if c in index})
            for m in members[1:]:
                parent_of[find(m)] = find(members[0])
    blocks: dict[int, list[int]] = defaultdict(list)
    for i in range(len(unknown)):
        blocks[find(i)].append(i)
    block_equations: dict[int, list[dict[int, float]]] = defaultdict(list)
    for equation in reduced:
        block_equations[find(next(iter(equation)))].append(equation)
    determined: list[Cell] = []
    for root, members in blocks.items():
        position = {m: j for j, m in enumerate(members)}
        matrix = np.zeros((max(1, len(block_equations[root])), len(members)))
        for r, equation in enumerate(block_equations[root]):
            for m, w in equation.items():
                matrix[r, position[m]] = w
        null = scipy.linalg.null_space(matrix)
        for m, j in position.items():
            if null.shape[1] == 0 or np.allclose(null[j], 0, atol=1e-9):
                determined.append(unknown[m])
    return determined


def describe(result: Attack) -> dict[str, Any]:
    """What a report or a failing test prints."""
    return {"suprimidas": result.suppressed, "sensibles": result.sensitive,
            "recuperadas": result.counts[:10], "importes": result.amounts[:10],
            "intervalo_mas_estrecho": result.narrowest}  # fmt: skip
