"""The suppression of linked tables, on hand-made and generated registries, attacked by
``tests/publish/attacker.py`` (an LP over everything the publication implies)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.publish.publication import LEVELS, _columns
from geo.publish.suppression import Grid, suppress
from tests.publish.attacker import Attack, Publication, attack

K = 5
Area = tuple[str, str]


Places = dict[str, dict[str, dict[frozenset[str], int]]]
"""Municipality → locality → set of programs → persons."""


def registry(programs: list[str], *districts: Places) -> tuple[Grid, list[Area]]:
    """A state of one region per two districts, each district's municipalities and localities."""
    keys: list[Area] = [("estado", "20")]
    parents: list[int | None] = [None]
    latent: dict[int, dict[int, int]] = {}
    bits = {p: 1 << i for i, p in enumerate(programs)}

    def add(key: Area, parent: int) -> int:
        keys.append(key)
        parents.append(parent)
        return len(keys) - 1

    region = 0
    for d, places in enumerate(districts):
        if d % 2 == 0:
            region = add(("region", f"R{d // 2}"), 0)
        district = add(("distrito", f"D{d}"), region)
        for municipality, localities in places.items():
            above = add(("municipio", municipality), district)
            for locality, sets in localities.items():
                leaf = add(("localidad", locality), above)
                found = {sum(bits[p] for p in s): n for s, n in sets.items() if n}
                if found:
                    latent[leaf] = found
    return Grid(parents, latent, _columns(programs)), keys


def publish(grid: Grid, keys: list[Area], suppressed: np.ndarray) -> Publication:
    """What the public would read: values, None where suppressed, and the hierarchy."""
    counts: dict[tuple[str, str, str], int | None] = {}
    amounts: dict[tuple[str, str, str], float | None] = {}
    for area, key in enumerate(keys):
        for j, column in enumerate(grid.columns):
            value = int(grid.values[area, j])
            if value < 0 or (key[0] == "localidad" and not (grid.values[area] > 0).any()):
                continue
            cell = (*key, column.name)
            counts[cell] = None if suppressed[area, j] else value
            amounts[cell] = None if suppressed[area, j] or "|" in column.name else 1000.0 * value
    parent = {
        key: None if p is None else keys[p] for key, p in zip(keys, grid.parents, strict=True)
    }
    return Publication.of(counts, amounts, parent)


def exact(grid: Grid, keys: list[Area]) -> dict[tuple[str, str, str], int]:
    return {
        (*key, column.name): int(grid.values[area, j])
        for area, key in enumerate(keys)
        for j, column in enumerate(grid.columns)
        if grid.values[area, j] >= 0
    }


def broken(grid: Grid, keys: list[Area], suppressed: np.ndarray) -> Attack:
    return attack(publish(grid, keys, suppressed), exact(grid, keys), K)


def primary(grid: Grid) -> np.ndarray:
    return (grid.values >= 1) & (grid.values < K)


A, B = frozenset({"A"}), frozenset({"B"})
AB = A | B


def test_primary_suppression_alone_is_recovered_from_the_totals() -> None:
    grid, keys = registry(["A"], {"M1": {"L1": {A: 3}, "L2": {A: 9}}, "M2": {"L3": {A: 40}}})
    found = broken(grid, keys, primary(grid))
    assert (("localidad", "L1", "A"), 3) in found.counts  # 12 - 9
    assert broken(grid, keys, suppress(grid, K)).counts == []


def test_two_small_siblings_are_pinned_by_nonnegativity() -> None:
    """7 = 1 + 1 + 5: two unknowns, but each suppressed cell holds at least one person (zeros are
    published), so both are 1. Counting unknowns per equation would call this safe."""
    grid, keys = registry(["A"], {"M1": {"L1": {A: 1}, "L2": {A: 1}, "L3": {A: 5}},
                                  "M2": {"L4": {A: 30}}})  # fmt: skip
    found = broken(grid, keys, primary(grid))
    assert {cell for cell, _ in found.counts} >= {
        ("localidad", "L1", "A"),
        ("localidad", "L2", "A"),
    }
    safe = suppress(grid, K)
    assert broken(grid, keys, safe).counts == []
    assert safe[keys.index(("localidad", "L3")), 0]  # the 5 goes with them


def test_a_small_program_hides_behind_all_programs() -> None:
    """One person of A among 40 of B in a locality: A + B - all = persons in both, and the
    state publishes that none receives both, so all - B would give A exactly."""
    places = {"M1": {"L1": {A: 1, B: 40}, "L2": {B: 30}}, "M2": {"L3": {A: 20, B: 20}}}
    grid, keys = registry(["A", "B"], places)
    found = broken(grid, keys, primary(grid))
    assert (("localidad", "L1", "A"), 1) in found.counts
    safe = suppress(grid, K)
    result = broken(grid, keys, safe)
    assert result.counts == [] and result.amounts == []


@st.composite
def registries(draw: st.DrawFn) -> tuple[Grid, list[Area]]:
    programs = ["A", "B", "C"][: draw(st.integers(1, 3))]
    sets = [frozenset(c) for n in range(1, len(programs) + 1) for c in combinations(programs, n)]
    persons = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 30))
    districts = [
        {
            f"M{d}{m}": {
                f"L{d}{m}{i}": {s: draw(persons) for s in sets}
                for i in range(draw(st.integers(1, 4)))
            }
            for m in range(draw(st.integers(1, 3)))
        }
        for d in range(draw(st.integers(1, 3)))
    ]
    return registry(programs, *districts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_no_generated_registry_is_broken(found: tuple[Grid, list[Area]]) -> None:
    grid, keys = found
    safe = suppress(grid, K)
    assert (safe >= primary(grid)).all()
    assert not (safe & (grid.values == 0)).any()  # zeros stay published
    result = broken(grid, keys, safe)
    assert result.counts == [] and result.amounts == []


@settings(max_examples=60, deadline=None)
@given(registries())
def test_each_cell_counts_the_persons_below_it_whose_set_its_column_covers(
    found: tuple[Grid, list[Area]],
) -> None:
    """The grid's cells are summed up the tree from the leaves at once; here each cell is
    counted from its definition, -1 where its column is not published at its level."""
    grid, _ = found
    for area, depth in enumerate(grid.depth):
        below = [leaf for leaf in grid.latent if area in grid.path(leaf)]
        for j, column in enumerate(grid.columns):
            expected = sum(
                persons
                for leaf in below
                for mask, persons in grid.latent[leaf].items()
                if column.covers(mask)
            )
            assert grid.values[area, j] == (expected if depth in column.depths else -1)


def test_levels_are_the_publications() -> None:
    assert LEVELS == ("estado", "region", "distrito", "municipio", "localidad")
