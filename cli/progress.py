"""Progress bars for the library's long work (:class:`geo.kernel.progress.Progress`), drawn with
rich on standard error only when it is an interactive terminal: piped output, log files, CI and
tests see nothing of them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich import filesize
from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as Bars
from rich.text import Text

from geo.kernel.progress import Progress


@contextmanager
def progress_bars(console: Console | None = None) -> Iterator[Progress | None]:
    """A :class:`~geo.kernel.progress.Progress` that draws on ``console`` (standard error by
    default), or None when that is not an interactive terminal."""
    console = console or Console(stderr=True)
    if not console.is_interactive:
        yield None
        return
    bars = Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        _Count(),
        _Rate(),
        TimeRemainingColumn(),
        console=console,
    )
    with bars, _logging_above():
        yield _Steps(bars)


class _Steps:
    """One bar per step, in the order the steps begin."""

    def __init__(self, bars: Bars) -> None:
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int | None, unit: str) -> None:
        task = self._tasks.get(step)
        if task is None:
            task = self._tasks[step] = self._bars.add_task(step, total=total, unit=unit)
        self._bars.update(task, completed=done, total=total)


class _Count(ProgressColumn):
    """``1,234/5,678 filas`` (``4.2/9.9 MB`` for bytes; no total while unknown)."""

    def render(self, task: Task) -> Text:
        unit = task.fields["unit"]
        done, total = int(task.completed), None if task.total is None else int(task.total)
        if unit == "bytes":
            shown = filesize.decimal(done) + (
                "" if total is None else f"/{filesize.decimal(total)}"
            )
        else:
            shown = f"{done:,}" + ("" if total is None else f"/{total:,}") + f" {unit}"
        return Text(shown, style="progress.download")


class _Rate(ProgressColumn):
    """``12,345 filas/s`` (``1.2 MB/s`` for bytes); nothing for steps, whose rate means little."""

    def render(self, task: Task) -> Text:
        unit, speed = task.fields["unit"], task.speed
        if speed is None or unit == "pasos":
            return Text("")
        shown = f"{filesize.decimal(int(speed))}/s" if unit == "bytes" else f"{speed:,.0f} {unit}/s"
        return Text(shown, style="progress.data.speed")


@contextmanager
def _logging_above() -> Iterator[None]:
    """Log lines meant for standard error go above the bars instead of through them: while rich
    draws, ``sys.stderr`` is its proxy, but the handlers still hold the stream they began with."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.__stderr__
    ]
    for handler in handlers:
        handler.setStream(sys.stderr)
    try:
        yield
    finally:
        for handler in handlers:
            handler.setStream(sys.__stderr__)
