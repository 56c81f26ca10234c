"""Rosters through every step, in one order: ingest → geocode → resolve → coverage refresh.

The CLI (``padron ingest``, ``padron demo``) and the API (``POST /cargas``) call this and nothing
else, so every edge leaves the registry in the same state. Each later step works only on what is
pending (batches not geocoded, records without a person, programs whose batches changed), so
running it again after a crash, or for a file already loaded, finishes what was left and
otherwise changes nothing. Coverage is refreshed after resolution, so it counts persons, not
listings. Rosters that arrive together are all ingested before the later steps run once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from geo.coverage.groups import Group
from geo.coverage.refresh import RefreshReport, refresh
from geo.geocode import GeocodeReport, geocode
from geo.ingest import PUB, IngestResult, Layout, ingest_file
from geo.kernel.progress import Progress
from geo.resolve import ResolveReport, resolve


@dataclass(frozen=True)
class RosterFile:
    """A roster to ingest: the file, its program and period, and who sent it."""

    path: Path
    programa: str
    periodo: str | None = None
    layout: Layout = PUB
    usuario: str | None = None
    nombre_archivo: str | None = None
    """The name it was sent with (an upload is saved under a temporary name)."""


@dataclass(frozen=True)
class PendingReport:
    """What the steps after ingest did."""

    geocode: GeocodeReport
    resolve: ResolveReport
    refresh: RefreshReport


@dataclass(frozen=True)
class RostersReport:
    """Each roster's ingest, and the steps that followed them."""

    ingests: list[IngestResult]
    pending: PendingReport


def process_rosters(
    engine: Engine,
    rosters: Sequence[RosterFile],
    grupos: Mapping[str, Group] | None = None,
    progress: Progress | None = None,
) -> RostersReport:
    """Ingest each roster, then :func:`process_pending` once.

    ``grupos`` maps a program to the census group it targets (its rules of operation);
    ``progress`` is passed to every step.
    """
    ingests = [
        ingest_file(
            engine,
            roster.path,
            roster.programa,
            periodo=roster.periodo,
            layout=roster.layout,
            usuario=roster.usuario,
            nombre_archivo=roster.nombre_archivo,
            progress=progress,
        )
        for roster in rosters
    ]
    return RostersReport(ingests, process_pending(engine, grupos, progress))


def process_pending(
    engine: Engine, grupos: Mapping[str, Group] | None = None, progress: Progress | None = None
) -> PendingReport:
    """Geocode the batches not yet placed, resolve the records without a person, and refresh
    the coverage of what changed (telling ``progress`` of each)."""
    return PendingReport(
        geocode=geocode(engine, progress=progress),
        resolve=resolve(engine, progress=progress),
        refresh=refresh(engine, grupos, progress=progress),
    )
