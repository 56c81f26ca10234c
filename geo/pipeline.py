"""A roster through every step, in one order: ingest → geocode → resolve → coverage refresh.

The CLI (``padron ingest``, ``padron demo``) and the API (``POST /cargas``) call this and nothing
else, so every edge leaves the registry in the same state. Each later step works only on what is
pending (batches not geocoded, records without a person, programs whose batches changed), so
running it again after a crash, or for a file already loaded, finishes what was left and
otherwise changes nothing. Coverage is refreshed after resolution, so it counts persons, not
listings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from geo.coverage.groups import Group
from geo.coverage.refresh import RefreshReport, refresh
from geo.geocode import GeocodeReport, geocode
from geo.ingest import PUB, IngestResult, Layout, ingest_file
from geo.resolve import ResolveReport, resolve


@dataclass(frozen=True)
class PendingReport:
    """What the steps after ingest did."""

    geocode: GeocodeReport
    resolve: ResolveReport
    refresh: RefreshReport


@dataclass(frozen=True)
class RosterReport:
    """A roster's ingest and the steps that followed it."""

    ingest: IngestResult
    pending: PendingReport


def process_roster(
    engine: Engine,
    path: Path,
    programa: str,
    *,
    periodo: str | None = None,
    layout: Layout = PUB,
    grupos: Mapping[str, Group] | None = None,
    usuario: str | None = None,
    nombre_archivo: str | None = None,
) -> RosterReport:
    """Ingest ``path`` as a roster of ``programa``, then :func:`process_pending`.

    ``grupos`` maps a program to the census group it targets (its rules of operation).
    """
    ingested = ingest_file(
        engine,
        path,
        programa,
        periodo=periodo,
        layout=layout,
        usuario=usuario,
        nombre_archivo=nombre_archivo,
    )
    return RosterReport(ingested, process_pending(engine, grupos))


def process_pending(engine: Engine, grupos: Mapping[str, Group] | None = None) -> PendingReport:
    """Geocode the batches not yet placed, resolve the records without a person, and refresh
    the coverage of what changed."""
    return PendingReport(
        geocode=geocode(engine), resolve=resolve(engine), refresh=refresh(engine, grupos)
    )
