"""The pipeline benchmark's report (bench/pipeline.py): what it claims about memory, and where
it writes it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from bench.common import write_docs
from bench.pipeline import HERE, whole_peak


def _usage(python: float, server: float) -> dict[str, float]:
    return {
        "memoria_python_mb": python,
        "memoria_servidor_mb": server,
        "memoria_mb": python + server,
        "segundos": 1.0,
    }


def test_the_pipelines_peak_memory_is_its_largest_stages() -> None:
    # Resolution peaks in Python, the refresh in the server: summed, the two peaks would be a
    # pipeline of 9 GB that never was (at 2x seed size it read 8.6 GB against stages of 7.3).
    stages = {
        "piso": _usage(1000, 1000),
        "ingest": _usage(2800, 1600),
        "geocode": _usage(1500, 2500),
        "resolve": _usage(5400, 1900),
        "refresh": _usage(3200, 3200),
        "publication": _usage(1300, 1800),
        "pipeline": _usage(5400, 3200),
    }
    whole = whole_peak(stages)["pipeline"]
    assert (whole["memoria_mb"], whole["memoria_python_mb"], whole["memoria_servidor_mb"]) == (
        7300,
        5400,
        1900,
    )
    assert whole["segundos"] == 1.0  # only memory is taken from the stages


def test_a_pipeline_run_goes_above_the_earlier_runs(tmp_path: Path) -> None:
    """The pipeline's section is the record of its runs, with notes written beside them: a new
    run replaced them all (1,500 lines of it, restored by hand). The tiles' table is the latest
    run's alone."""
    docs = tmp_path / "benchmarks.md"
    markers = ("<!-- a -->", "<!-- b -->")
    docs.write_text("intro\n<!-- a -->\nold run\n\na note on it\n<!-- b -->\nafter\n")
    write_docs(markers, "new run\n", keep_earlier=True, docs=docs)
    assert docs.read_text() == (
        "intro\n<!-- a -->\nnew run\n\nold run\n\na note on it\n<!-- b -->\nafter\n"
    )
    write_docs(markers, "table\n", keep_earlier=False, docs=docs)
    assert docs.read_text() == "intro\n<!-- a -->\ntable\n<!-- b -->\nafter\n"


def test_the_refresh_bound_keeps_the_rows_the_refresh_keeps(demo_engine: Engine) -> None:
    """The bound the refresh is measured against (bench/refresh_bound.sql) must make the rows the
    refresh keeps for the next roster, one per person, program and period, or it bounds a
    different job."""
    bound = (HERE / "refresh_bound.sql").read_text()
    with demo_engine.connect() as conn:
        kept = conn.execute(
            text("SELECT periodo, persona, programa, registros FROM analisis.persona_programa")
        ).all()
        conn.execute(text(bound))
        made = conn.execute(
            text(
                "SELECT coalesce(periodo, ''), persona, programa, registros "
                "FROM bench_cota_refresco"
            )
        ).all()
        conn.rollback()
    assert len(kept) > 1000
    assert sorted(made) == sorted(kept)
