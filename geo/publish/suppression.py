"""Small-cell suppression of linked tables: primary under ``k`` persons, complementary so that
no suppressed cell can be recovered from what is published.

The tables. Persons are counted in the leaves of a hierarchy of areas (localities, and each
municipality's persons placed without a locality; municipalities, districts, regions, the
state), each person once, with the set of programs they receive. A *column* is a count of
persons whose set it covers: one program, all programs (``*``), two or more (``2+``), both of
two programs (``A|B``); each column is published at some levels. Every published cell is thus a
sum of latent counts (persons of a leaf with a given set of programs), and the relations between
cells are what the latent counts imply: a parent is the sum of its children, all programs are at
least each program and at most their sum, and so on.

The rule. A cell of 1 to k-1 persons is suppressed (primary). A suppressed cell is safe when a
second registry exists that agrees with every published figure and in which that cell has
another value: then no one can solve for it from published sums, bounds or program overlaps.
For every primary cell not yet shown safe this module looks for such a registry one move away
— one person moved between two leaves, or one person's set of programs changed, or one person
more or less — and suppresses (complementary) whatever published cells the cheapest move
changes. Every cell a move changes is thereby safe too. Moves never touch a cell of 0 persons,
so zeros stay published and a suppressed cell is known only to be at least 1. Amounts paid are
suppressed with their counts and move with their persons; when a move changes how many programs
a person keeps receiving, the amount cells of the programs kept are suppressed as well, so that
"all programs" stays the sum of the programs' amounts in the second registry too.

Hand-written because the usual tools (τ-ARGUS's hypercube and optimal methods, sdcTable) are
R or Java programs that solve the hierarchy and the overlap of programs as separate tables; the
test suite audits the result with an independent attacker (``scipy.optimize.linprog``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

LOW = 1
"""Every suppressed cell holds at least this many persons (zeros are published)."""


@dataclass(frozen=True)
class Column:
    """A count of persons whose set of programs (a bit mask) ``covers``, at ``depths``;
    ``program`` is the bit of the one program it counts (0 for other columns)."""

    name: str
    covers: Callable[[int], bool]
    depths: frozenset[int]
    program: int = 0


@dataclass
class Grid:
    """One period's areas (a tree, root first), latent counts and columns."""

    parents: list[int | None]
    """Parent of each area (None for the root); children come after their parent."""
    latent: dict[int, dict[int, int]]
    """Leaf area → set of programs (bit mask) → persons."""
    columns: list[Column]
    depth: list[int] = field(init=False)
    values: np.ndarray = field(init=False)
    """Persons per area (rows) and column; -1 where the column is not published at that depth."""

    def __post_init__(self) -> None:
        self.depth = []
        for parent in self.parents:
            self.depth.append(0 if parent is None else self.depth[parent] + 1)
        counts = np.zeros((len(self.parents), len(self.columns)), dtype=np.int64)
        masks = {m for sets in self.latent.values() for m in sets}
        covered = {m: np.array([c.covers(m) for c in self.columns], dtype=np.int64) for m in masks}
        for leaf, sets in self.latent.items():
            for mask, persons in sets.items():
                counts[leaf] += persons * covered[mask]
        for area in range(len(self.parents) - 1, 0, -1):  # children come after their parent
            parent = self.parents[area]
            if parent is not None:
                counts[parent] += counts[area]
        published = np.array(
            [[d in c.depths for c in self.columns] for d in self.depth], dtype=bool
        ).reshape(counts.shape)
        self.values = np.where(published, counts, -1)

    def path(self, area: int, stop: int | None = None) -> Iterator[int]:
        """``area`` and its ancestors, up to ``stop`` excluded (the root included if None)."""
        current: int | None = area
        while current is not None and current != stop:
            yield current
            current = self.parents[current]


@dataclass(frozen=True)
class _Move:
    """One person changed from set ``before`` to ``after`` in ``leaf`` (mask 0: no person);
    with ``other``, the opposite change in that leaf, below their common ancestor ``top``."""

    leaf: int
    before: int
    after: int
    other: int | None
    top: int | None


class Suppressor:
    """Primary and complementary suppression of one :class:`Grid` (see the module)."""

    def __init__(self, grid: Grid, k: int) -> None:
        self.grid = grid
        self.k = k
        values = grid.values
        self.sensitive = (values >= LOW) & (values < k)
        # Python lists, not the arrays: the search reads single cells millions of times.
        self.values: list[list[int]] = values.tolist()
        self.suppressed: list[list[bool]] = self.sensitive.tolist()
        self.safe = [[False] * len(grid.columns) for _ in grid.parents]
        self.children: list[list[int]] = [[] for _ in grid.parents]
        for area, parent in enumerate(grid.parents):
            if parent is not None:
                self.children[parent].append(area)
        self.programs = {j: c.program for j, c in enumerate(grid.columns) if c.program}
        """Column → the bit of its program, for the columns that count one program."""
        self.leaves: list[list[int]] = [[] for _ in grid.parents]
        for leaf in grid.latent:
            for area in grid.path(leaf):
                self.leaves[area].append(leaf)
        masks = sorted({m for sets in grid.latent.values() for m in sets})
        self.changes = [(b, a) for b in (0, *masks) for a in (0, *masks) if b != a]
        self.touched = {change: self._touched(*change) for change in self.changes}
        """(before, after) → the columns :meth:`_side` yields on each area, worked out once per
        change instead of once per leaf it is tried at."""

    def run(self) -> np.ndarray:
        """The suppressed cells (areas × columns)."""
        order = sorted(
            zip(*np.nonzero(self.sensitive), strict=True),
            key=lambda cell: (-self.grid.depth[cell[0]], int(cell[0]), int(cell[1])),
        )
        for area, column in order:
            if not self.safe[area][column]:
                move = self._cheapest(int(area), int(column))
                for cell_area, cell_column, delta in self._cells(move):
                    self.suppressed[cell_area][cell_column] = True
                    if delta:
                        self.safe[cell_area][cell_column] = True
        return np.array(self.suppressed, dtype=bool).reshape(self.sensitive.shape)

    def _cheapest(self, area: int, column: int) -> _Move:
        """The move that changes the cell and needs the fewest new suppressions (then the
        fewest persons in them): moves within the parent first, then with farther relatives,
        then a person added, removed or changed alone (which reaches the root)."""
        covers = self.grid.columns[column].covers
        changes = [(b, a) for b, a in self.changes if covers(b) != covers(a)]
        inside = self.leaves[area]
        best: tuple[tuple[int, int], _Move] | None = None
        below, top = area, self.grid.parents[area]
        while True:
            siblings = [] if top is None else [c for c in self.children[top] if c != below]
            for before, after in changes:
                here = self._best_side(inside, before, after, top)
                if here is None or (best is not None and here[0] >= best[0]):
                    continue
                if top is None:
                    cost, move = here[0], _Move(here[1], before, after, None, None)
                else:
                    outside = chain.from_iterable(self.leaves[c] for c in siblings)
                    there = self._best_side(outside, after, before, top)
                    if there is None:
                        continue
                    cost = (here[0][0] + there[0][0], here[0][1] + there[0][1])
                    move = _Move(here[1], before, after, there[1], top)
                if best is None or cost < best[0]:
                    best = (cost, move)
                    if cost == (0, 0):
                        return move
            if top is None:
                break
            below, top = top, self.grid.parents[top]
        if best is None:  # pragma: no cover - a counted person can always be added
            raise AssertionError("no move changes a cell of persons")
        return best[1]

    def _best_side(
        self, leaves: Iterable[int], before: int, after: int, top: int | None
    ) -> tuple[tuple[int, int], int] | None:
        """Cheapest leaf among ``leaves`` where a person can change from ``before`` to
        ``after`` (cells on its path below ``top``): (new suppressions, their persons), leaf."""
        best: tuple[tuple[int, int], int] | None = None
        for leaf in leaves:
            if before and self.grid.latent[leaf].get(before, 0) < 1:
                continue
            cost = self._side_cost(leaf, before, after, top)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, leaf)
                if cost == (0, 0):
                    break
        return best

    def _side_cost(
        self, leaf: int, before: int, after: int, top: int | None
    ) -> tuple[int, int] | None:
        """(new suppressions, their persons) of :meth:`_side`'s cells, or None if a move would
        touch a cell of 0 or empty one; :meth:`_side` inlined, as this runs millions of times."""
        new, persons = 0, 0
        touched = self.touched[before, after]
        for area in self.grid.path(leaf, top):
            published, suppressed = self.values[area], self.suppressed[area]
            for column, delta in touched:
                value = published[column]
                if value < 0:
                    continue
                if value < LOW or value + delta < LOW:
                    return None
                if not suppressed[column]:
                    new += 1
                    persons += value
        return new, persons

    def _side(
        self, leaf: int, before: int, after: int, top: int | None
    ) -> Iterator[tuple[int, int, int]]:
        """Cells a person going from ``before`` to ``after`` in ``leaf`` touches on the path
        below ``top``, with the change of each (:meth:`_touched`)."""
        touched = self.touched[before, after]
        for area in self.grid.path(leaf, top):
            published = self.values[area]
            for column, delta in touched:
                if published[column] >= 0:
                    yield area, column, delta

    def _touched(self, before: int, after: int) -> list[tuple[int, int]]:
        """Columns a person going from ``before`` to ``after`` changes, with the change: the
        counts that change, and the programs whose amount must absorb the change when the
        person keeps some programs and the number of them changes (so that all programs'
        amount stays the sum of the programs'); those keep their count (change 0) but must be
        suppressed too."""
        kept = before & after if before and after and before.bit_count() != after.bit_count() else 0
        deltas = [
            (j, int(c.covers(after)) - int(c.covers(before)))
            for j, c in enumerate(self.grid.columns)
        ]
        absorbing = [j for j in self.programs if kept & self.programs[j]]
        return [(column, delta) for column, delta in deltas if delta or column in absorbing]

    def _cells(self, move: _Move) -> Iterator[tuple[int, int, int]]:
        yield from self._side(move.leaf, move.before, move.after, move.top)
        if move.other is not None:
            yield from self._side(move.other, move.after, move.before, move.top)


def suppress(grid: Grid, k: int) -> np.ndarray:
    """Suppressed cells of ``grid`` (areas × columns): primary under ``k``, complementary so
    that every suppressed cell of 1 to k-1 persons has a consistent alternative."""
    return Suppressor(grid, k).run()
