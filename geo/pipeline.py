"""Rosters through every step, in one order: ingest → geocode → resolve → coverage refresh →
publication; and the reference geography they are placed and measured on.

The CLI (``padron ingest``, ``padron demo``) and the API (``POST /cargas``) call this and nothing
else, so every edge leaves the registry in the same state. Each later step works only on what is
pending (batches not geocoded, records without a person, programs whose batches changed), so
running it again after a crash, or for a file already loaded, finishes what was left and
otherwise changes nothing. Coverage is refreshed after resolution, so it counts persons, not
listings; the publication (the only figures that leave the service without a login) is rebuilt
from the refreshed coverage, so no edge can leave it behind. Rosters that arrive together are
all ingested before the later steps run once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from boundaries.load import LoadReport, SourceFiles, load_iml, load_sepomex, load_state
from geo.access import beneficiary
from geo.access.users import User, record_event
from geo.coverage.refresh import RefreshReport, refresh, refresh_in, tidy
from geo.coverage.rules import ProgramRules, target_groups
from geo.geocode import GeocodeReport, geocode
from geo.geocode import locate as geocoding
from geo.ingest import PUB, IngestResult, Layout, ingest_file
from geo.ingest import withdraw as ingest_withdraw
from geo.ingest.reader import ReadLimits
from geo.kernel.errors import InvalidParameter
from geo.kernel.progress import Progress
from geo.publish.publication import (
    DEFAULT_K,
    PublicationReport,
    RegistryTally,
    publish,
    publish_in,
    tally_registry,
)
from geo.resolve import ResolveReport, resolve
from geo.resolve.forget import forget_batch as forget_resolution


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
    limits: ReadLimits | None = None
    """What the file may be before it is refused (default :class:`ReadLimits`)."""
    periodo_atipico: bool = False
    """Load periods far from today's year (refused by default)."""


@dataclass(frozen=True)
class GeographyReport:
    """The reference geography's load, and the coverage rebuilt on it."""

    load: LoadReport
    localidades_iml: int | None
    asentamientos_sepomex: int | None
    coverage: tuple[RefreshReport, PublicationReport] | None
    """The refresh and publication over the rebuilt areas; None when the load changed nothing
    they read (the same files again, or only the SEPOMEX catalogue)."""


@dataclass(frozen=True)
class PendingReport:
    """What the steps after ingest did."""

    geocode: GeocodeReport
    resolve: ResolveReport
    refresh: RefreshReport
    publication: PublicationReport


@dataclass(frozen=True)
class RostersReport:
    """Each roster's ingest, and the steps that followed them."""

    ingests: list[IngestResult]
    pending: PendingReport


def process_rosters(
    engine: Engine,
    rosters: Sequence[RosterFile],
    rules: Mapping[str, ProgramRules] | None = None,
    progress: Progress | None = None,
    *,
    k: int = DEFAULT_K,
) -> RostersReport:
    """Ingest each roster, then :func:`process_pending` once.

    ``rules`` are the programs' rules of operation (target groups, violations); ``progress`` is
    passed to every step; ``k`` is the publication's suppression threshold.
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
            limits=roster.limits,
            periodo_atipico=roster.periodo_atipico,
        )
        for roster in rosters
    ]
    return RostersReport(ingests, process_pending(engine, rules, progress, k=k))


def process_pending(
    engine: Engine,
    rules: Mapping[str, ProgramRules] | None = None,
    progress: Progress | None = None,
    *,
    k: int = DEFAULT_K,
) -> PendingReport:
    """Geocode the batches not yet placed, resolve the records without a person, refresh the
    coverage of what changed and rebuild the publication (telling ``progress`` of each)."""
    placed = geocode(engine, progress=progress)
    resolved = resolve(engine, progress=progress)
    refreshed, published = refresh_and_publish(engine, rules, k=k, progress=progress)
    return PendingReport(placed, resolved, refreshed, published)


def refresh_and_publish(
    engine: Engine,
    rules: Mapping[str, ProgramRules] | None = None,
    *,
    k: int = DEFAULT_K,
    rebuild_areas: bool = False,
    progress: Progress | None = None,
) -> tuple[RefreshReport, PublicationReport]:
    """The coverage refresh, then the publication built from it (a no-op when nothing it reads
    changed): what every edge runs after the registry changes.

    When the refresh recomputes coverage, the publication will be rebuilt, and its counts of
    the records themselves (:class:`RegistryTally`, which read only the registry) are taken on
    a second connection meanwhile, in one backend: most of the refresh's per-person pass runs
    in one process, leaving the other core idle (``docs/benchmarks.md``).
    """
    rules = dict(rules or {})
    with ThreadPoolExecutor(1, thread_name_prefix="padron-tally") as pool:
        tallies: list[Future[RegistryTally]] = []

        def start_tally() -> None:
            tallies.append(pool.submit(_registry_tally, engine))

        refreshed = refresh(
            engine,
            target_groups(rules),
            rebuild_areas=rebuild_areas,
            progress=progress,
            on_recompute=start_tally,
        )
        tally = tallies[0].result() if tallies else None
    return refreshed, publish(engine, k, rules, tally=tally)


def _registry_tally(engine: Engine) -> RegistryTally:
    with engine.connect() as conn:
        return tally_registry(conn, one_core=True)


def load_geography(
    engine: Engine,
    sources: SourceFiles,
    cve_ent: str = "20",
    rules: Mapping[str, ProgramRules] | None = None,
    *,
    iml: Path | None = None,
    sepomex: Path | None = None,
    k: int = DEFAULT_K,
) -> GeographyReport:
    """Load state ``cve_ent``'s reference geography (a no-op for files already loaded), with
    CONAPO's locality index ``iml`` and the SEPOMEX catalogue if given, then, when that changed
    the geography or its marginality, what coverage derives from it: the areas with their census
    populations and marginality, and over them the coverage and publication already computed
    (what ``padron boundaries load`` and ``padron demo`` run).

    The areas depend on the geography alone, so they are built here, once, rather than by the
    first refresh after rosters arrive: a roster's refresh then does only the work the roster
    causes (``docs/benchmarks.md``).
    """
    loaded = load_state(engine, sources, cve_ent)
    with engine.begin() as conn:
        localities = load_iml(conn, iml, cve_ent) if iml else None
        settlements = load_sepomex(conn, sepomex, cve_ent) if sepomex else None
    coverage = None
    if loaded.changed or iml is not None:
        coverage = refresh_and_publish(engine, rules, k=k, rebuild_areas=True)
    return GeographyReport(loaded, localities, settlements, coverage)


@dataclass(frozen=True)
class WithdrawalReport:
    """What a batch's withdrawal removed, and the coverage it recomputed."""

    carga_id: int
    programa: str
    registros: int
    rechazos: int
    ubicaciones: int
    asignaciones: int
    personas: int
    revisiones: int
    fotos: int
    puntos_verificados: int
    refresh: RefreshReport
    publication: PublicationReport


def withdraw_batch(
    engine: Engine,
    carga_id: int,
    usuario: str,
    motivo: str | None = None,
    rules: Mapping[str, ProgramRules] | None = None,
    photo_dir: Path | None = None,
    *,
    k: int = DEFAULT_K,
) -> WithdrawalReport:
    """Take a batch back: the inverse of :func:`process_rosters`, in one transaction.

    Its records leave every table (places, assignments, review pairs, field photos and points,
    records, rejects); persons left without a record disappear; coverage is refreshed without
    it, and with it whatever is derived from coverage and the publication. The withdrawal is
    audited. The batch row
    stays, marked withdrawn, with the file as received (``padron export original`` still
    works). Photo files in ``photo_dir`` are removed once the transaction has committed.
    """
    if motivo is not None and (len(motivo) > 500 or not motivo.isprintable()):
        raise InvalidParameter("El motivo admite hasta 500 caracteres imprimibles.")
    with engine.begin() as conn:
        batch = ingest_withdraw.lock_batch(conn, carga_id)
        files, points = beneficiary.forget_batch(conn, carga_id)
        places = geocoding.forget_batch(conn, carga_id)
        resolution = forget_resolution(conn, carga_id)
        records, rejects = ingest_withdraw.withdraw_rows(conn, carga_id, usuario, motivo)
        report = refresh_in(conn, target_groups(dict(rules or {})))
        published = publish_in(conn, k, rules)
        record_event(
            conn, User(0, usuario, "admin", None), "retirar_carga", carga_id=carga_id,
            detalle=f"{records} registros; {motivo or 'sin motivo'}",
        )  # fmt: skip
    tidy(engine, report)
    if photo_dir is not None:
        for name in files:
            (photo_dir / name).unlink(missing_ok=True)
    return WithdrawalReport(
        carga_id=carga_id,
        programa=batch.programa,
        registros=records,
        rechazos=rejects,
        ubicaciones=places,
        asignaciones=resolution.asignaciones,
        personas=resolution.personas,
        revisiones=resolution.revisiones,
        fotos=len(files),
        puntos_verificados=points,
        refresh=report,
        publication=published,
    )
