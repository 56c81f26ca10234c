"""Resolution compares and scores candidate pairs in slices: the scored pairs, and the decisions
taken from them, are the ones the whole gets at once."""

from __future__ import annotations

import dataclasses

import polars as pl
from polars.testing import assert_frame_equal

from geo.resolve import match
from geo.resolve.resolver import (
    DECIDED,
    _in_id_order,
    scored_pairs,
)

SLICE = 50


def test_slices_score_and_decide_as_the_whole(prepared: tuple[pl.DataFrame, int]) -> None:
    records, population = prepared
    pending = records.filter(pl.col("persona_id").is_null())["i"]
    model = match.estimate_model(records).for_population(population)
    at_once = match.score(
        match.compare(records, match.candidate_pairs(records, pending)), model
    ).select(DECIDED)
    whole = scored_pairs(records, pending, model, slice_size=10**9)
    sliced = scored_pairs(records, pending, model, slice_size=SLICE)
    assert sliced.height > 4 * SLICE, "too few pairs to span several slices"
    assert_frame_equal(whole.sort("i", "j"), at_once.sort("i", "j"))
    assert_frame_equal(sliced.sort("i", "j"), whole.sort("i", "j"))
    decided = [dataclasses.asdict(match.decide(records, s, match.Thresholds(), model=model))
               for s in (whole, sliced)]  # fmt: skip
    assert decided[0] == decided[1]
    assert decided[0]["join"] or decided[0]["new"]


def test_keys_made_in_slices_pair_as_the_whole(prepared: tuple[pl.DataFrame, int]) -> None:
    records, _ = prepared
    assert records.height > 4 * SLICE, "too few records to span several slices"
    left = records.filter(pl.col("i") % 3 == 0)["i"]
    for right in (None, records.filter(pl.col("i") % 3 != 0)["i"]):
        whole = match.candidate_pairs(records, left, right=right, keyed_rows=10**9)
        sliced = match.candidate_pairs(records, left, right=right, keyed_rows=SLICE)
        assert whole.height > 100, "too few pairs to compare"
        assert_frame_equal(sliced.sort("i", "j"), whole.sort("i", "j"))


def test_records_put_in_id_order_column_by_column() -> None:
    shuffled = pl.DataFrame({"id": [3, 1, 2], "nombre": ["C", "A", None], "n": [3.0, 1.0, 2.0]})
    assert_frame_equal(_in_id_order(shuffled), shuffled.sort("id"))
