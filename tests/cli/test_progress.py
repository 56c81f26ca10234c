"""The progress bars of the command line: drawn on an interactive terminal, absent elsewhere."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from rich.console import Console

from cli.progress import progress_bars


def console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, force_interactive=terminal, width=120), out


def test_bars_show_count_rate_and_unit_on_a_terminal() -> None:
    screen, out = console(terminal=True)
    with progress_bars(screen) as progress:
        assert progress is not None
        for done in range(0, 5_001, 1_000):
            progress("Carga de padron.csv", done, 5_000, "filas")
        progress("Descarga de mg", 2_000_000, None, "bytes")
        progress("Personas", 3, 3, "pasos")
    drawn = out.getvalue()
    assert "Carga de padron.csv" in drawn and "5,000/5,000 filas" in drawn
    assert "filas/s" in drawn  # the rate, in the step's own unit
    assert "Descarga de mg" in drawn and "2.0 MB" in drawn
    assert "3/3 pasos" in drawn


def test_nothing_when_not_a_terminal() -> None:
    screen, out = console(terminal=False)
    with progress_bars(screen) as progress:
        assert progress is None
    assert out.getvalue() == ""


def test_log_lines_go_above_the_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler made by ``logging.basicConfig`` (as ``padron`` does) writes to the real
    standard error; while bars are drawn its lines must go through rich, not across the bars."""
    handler = logging.StreamHandler(sys.__stderr__)
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler])
    screen, out = console(terminal=True)
    with progress_bars(screen) as progress:
        assert progress is not None
        progress("Descarga de mg", 1, 2, "bytes")
        logging.getLogger("boundaries.fetch").warning("reintento 1 en 1.0 s")
    assert "reintento 1 en 1.0 s" in out.getvalue()
    assert handler.stream is sys.__stderr__
