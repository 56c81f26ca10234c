"""How long work tells how far it is: the library calls a :class:`Progress`, the edge renders it.

The library never prints; a function that runs for minutes (ingest, geocode, resolve, coverage
refresh, synthetic rosters, downloads) takes ``progress=None`` and calls it with counts that only
grow. The CLI draws them as bars on a terminal; nothing else listens.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What long work calls as it advances."""

    def __call__(self, step: str, done: int, total: int | None, unit: str) -> None:
        """``done`` of ``total`` ``unit`` (``filas``, ``registros``, ``pasos``, ``bytes``) of the
        step named ``step`` (Spanish: it is shown to the user).

        ``done`` counts from the start of the step and grows, unless the step starts over (a
        download retried from its first byte); ``total`` is None while unknown and may be
        corrected as the work learns its size; the last call of a step has ``done == total``.
        """


def silent(step: str, done: int, total: int | None, unit: str) -> None:
    """The :class:`Progress` of a caller that did not ask for one."""
