"""Copies of one row: a few are compared, the rest take their decision, and the registry ends as
if every copy had been compared with every other (whose pairs grow as their square)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from sqlalchemy import Engine, text

from geo.ingest import ingest_file
from geo.resolve import decide_review, match, resolve, review_queue
from geo.resolve.resolver import scored_pairs
from tests.ingest.builders import RosterWriter
from tests.resolve.builders import record, row


def decided(decisions: match.Decisions) -> dict[str, object]:
    """Decisions whatever the order they were taken in."""
    taken = dataclasses.asdict(decisions)
    return taken | {"new": {frozenset(g) for g in taken["new"]}, "review": set(taken["review"])}


@pytest.mark.parametrize("threshold", [0.99, 0.9999], ids=["defaults", "strict"])
def test_copies_decide_as_if_each_were_compared_with_every_other(
    prepared: tuple[pl.DataFrame, int], threshold: float
) -> None:
    """Synthetic rosters with every kind of damage (not made for this test), their records with
    a valid CURP given a person as the CURP rules give it, and four copies of 60 of the others
    and of 20 listed without birth date or place: joined to a known person, one new person,
    held or apart, alike both ways. The stricter threshold holds more of them for review."""
    records, population = prepared
    by_curp = pl.when("curp_valida").then(pl.col("curp").rank("dense").cast(pl.Int64))
    records = records.with_columns(persona_id=by_curp)
    pending = records.filter(pl.col("persona_id").is_null())
    unplaced = ["fecha_nacimiento", "anio", "edo_nac", "cve_mun", "cve_loc", "cp", "sitio"]
    copied = pl.concat(
        [
            pending.sample(60, seed=7),
            pending.filter(pl.col("curp").is_null())
            .sample(20, seed=8)
            .with_columns(pl.lit(None, dtype=pending.schema[c]).alias(c) for c in unplaced),
        ]
    )
    copies = pl.concat([copied] * 4).with_columns(
        id=int(records["id"].max()) + 1 + pl.int_range(4 * copied.height, dtype=pl.Int64),
        i=records.height + pl.int_range(4 * copied.height, dtype=pl.UInt32),
    )
    frame = pl.concat([records, copies])
    left = frame.filter(pl.col("persona_id").is_null())["i"]
    model = match.estimate_model(records).for_population(population)
    thresholds = match.Thresholds(match=threshold)
    twins = match.twins(frame, left)
    assert len(twins) >= 2 * copied.height
    each = match.decide(frame, scored_pairs(frame, left, model), thresholds, model=model)
    few = match.decide(
        frame, scored_pairs(frame, left, model, twins), thresholds, model=model, twins=twins
    )
    assert decided(few) == decided(each)
    copy_ids = set(copies["i"].to_list())
    joined, held = set(few.join) & copy_ids, {i for i, _, _ in few.review} & copy_ids
    grouped = {i for g in few.new if len(g) > 1 for i in g} & copy_ids
    assert joined and grouped, "some copies join a known person, some make one together"
    assert held or threshold < 0.999, "the strict threshold holds some for review"


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(0.9, "one person"), (0.995, "held against the first"), (0.999999, "apart")],
)
def test_copies_of_a_row_without_date_or_place(threshold: float, expected: str) -> None:
    """Five copies of a row whose copies score 6.9 bits against each other: a person, held, or
    apart as the thresholds say, alike both ways (the copies after the second take its
    decision, not the first's)."""
    unplaced = {"fecha_nacimiento": None, "edo_nac": None, "cve_mun": None, "cve_loc": None}
    records = pl.DataFrame(
        [record(n, cp=None, **unplaced) for n in range(5)], schema=match.RECORD_SCHEMA
    )
    frame = match.prepare(records)
    left = frame["i"]
    model = match.DEFAULT_MODEL.for_population(3_000)
    thresholds = match.Thresholds(match=threshold, review=0.5 if threshold < 0.99999 else 0.9999)
    twins = match.twins(frame, left)
    assert twins == {2: 1, 3: 1, 4: 1}
    each = match.decide(frame, scored_pairs(frame, left, model), thresholds, model=model)
    few = match.decide(
        frame, scored_pairs(frame, left, model, twins), thresholds, model=model, twins=twins
    )
    assert decided(few) == decided(each)
    outcome = {
        "one person": few.new == [[0, 1, 2, 3, 4]],
        "held against the first": {(i, j) for i, j, _ in few.review}
        == {(n, 0) for n in (1, 2, 3, 4)},
        "apart": sorted(few.new) == [[n] for n in range(5)] and not few.review,
    }
    assert outcome[expected]


def test_a_row_listed_beyond_the_cap_of_a_key_is_one_person(
    engine: Engine, write_roster: RosterWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row listed 12 times without a CURP makes 144 pairs in each of its keys, more than a
    cap of 20 (:data:`geo.resolve.match.MAX_KEY_PAIRS`): its keys made no pair, and it became 12
    persons (as 5,000 rows once did under the real cap)."""
    monkeypatch.setattr(match, "MAX_KEY_PAIRS", 20)
    listed = row("CP", "Zavaleta", "Osorio", "Ofelia", "M", FH_NACIMIENTO="1927-05-06")
    roster = write_roster([listed | {"ID_REGISTRO": f"CP{n}"} for n in range(12)], name="cp.csv")
    ingest_file(engine, roster, "MATCP")
    resolve(engine, model=match.DEFAULT_MODEL)
    with engine.connect() as conn:
        persons = conn.execute(
            text(
                "SELECT count(DISTINCT persona_id), count(persona_id) FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id"
                " WHERE programa = 'MATCP'"
            )
        ).one()
    assert tuple(persons) == (1, 12)


def test_a_copy_a_reviewer_decided_on_keeps_its_own_pairs(
    engine: Engine, write_roster: RosterWriter
) -> None:
    """Four copies of a row without birth date or place, doubtful against each other: the
    first is a person, the others are held against it. Told that the fourth is not the first,
    the next run holds it against the second; as a copy it would have taken the third's
    decision, held against the first again, a pair already decided that the queue never shows."""
    listed = row("CR", "Zuazo", "Yllescas", "Eudocia", "M", FH_NACIMIENTO="", CVE_MUN="")
    listed |= {"CVE_LOC": ""}
    copies = [listed | {"ID_REGISTRO": f"CR{n}"} for n in range(1, 5)]
    ingest_file(engine, write_roster(copies, name="cr.csv"), "MATCR")
    doubtful = match.Thresholds(match=1 - 1e-15, review=1e-15)
    resolve(engine, model=match.DEFAULT_MODEL, thresholds=doubtful)
    with engine.connect() as conn:
        held = {i.registro["folio"]: i for i in review_queue(conn) if i.candidato["folio"] == "CR1"}
    assert set(held) == {"CR2", "CR3", "CR4"}
    with engine.begin() as conn:
        decide_review(conn, held["CR4"].id, "distinta", "prueba")
    resolve(engine, model=match.DEFAULT_MODEL, thresholds=doubtful)
    with engine.connect() as conn:
        queue = [(i.registro["folio"], i.candidato["folio"]) for i in review_queue(conn)]
    assert sorted(q for q in queue if q[0].startswith("CR")) == [
        ("CR2", "CR1"), ("CR3", "CR1"), ("CR4", "CR2"),
    ]  # fmt: skip
