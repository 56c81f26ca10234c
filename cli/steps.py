"""The registry's steps: ``padron ingest`` (the whole pipeline), and ``geocode``, ``resolve``
and ``duplicados`` run on their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import engine, settings

if TYPE_CHECKING:
    from geo.coverage.refresh import RefreshReport
    from geo.geocode import GeocodeReport
    from geo.ingest import IngestResult
    from geo.pipeline import PendingReport
    from geo.publish.publication import PublicationReport
    from geo.resolve import ResolveReport


def ingest(
    archivo: Annotated[Path, typer.Argument(help="Padrón en CSV o XLSX.")],
    programa: Annotated[str, typer.Option("--programa", help="Clave del programa.")],
    periodo: Annotated[
        str | None, typer.Option("--periodo", help="Periodo (p. ej. 2024-T1).")
    ] = None,
    mapeo: Annotated[
        str, typer.Option("--mapeo", help="'pub' o la ruta de un mapeo YAML de columnas.")
    ] = "pub",
    periodo_atipico: Annotated[
        bool,
        typer.Option(
            "--periodo-atipico",
            help="Cargar aunque el periodo no tenga año o su año esté lejos del actual.",
        ),
    ] = False,
) -> None:
    """Carga un padrón y lo lleva por todos los pasos: ubicación, personas y cobertura.

    Cada renglón queda cargado o rechazado con su motivo.
    """
    from cli.progress import progress_bars
    from geo.coverage.rules import load_rules
    from geo.ingest import load_layout
    from geo.kernel.db import upgrade
    from geo.pipeline import RosterFile, process_rosters

    current = settings()
    target = engine()
    upgrade(target)
    roster = RosterFile(
        archivo,
        programa,
        periodo,
        load_layout(mapeo),
        limits=current.read_limits,
        periodo_atipico=periodo_atipico,
    )
    with progress_bars() as progress:
        report = process_rosters(
            target, [roster], load_rules(current.reglas_dir), progress, k=current.k_anonimato
        )
    print_ingest(report.ingests[0])
    print_pending(report.pending)


def geocode(
    carga: Annotated[int | None, typer.Option("--carga", help="Solo esta carga.")] = None,
    todas: Annotated[bool, typer.Option("--todas", help="Rehacer todas las cargas.")] = False,
) -> None:
    """Ubica cada registro: municipio, localidad, punto, precisión y banderas."""
    from cli.progress import progress_bars
    from geo.geocode import geocode as place

    with progress_bars() as progress:
        report = place(engine(), carga, all_batches=todas, progress=progress)
    print_geocode(report)


def resolve() -> None:
    """Agrupa los registros en personas y deja los pares dudosos en revisión.

    Primero la CURP exacta o con un carácter mal capturado; sin CURP utilizable, por nombres,
    fecha, sexo, entidad de nacimiento y lugar.
    """
    from cli.progress import progress_bars
    from geo.resolve import resolve as group_persons

    with progress_bars() as progress:
        report = group_persons(engine(), progress=progress)
    print_resolve(report)


def duplicados(
    as_json: Annotated[bool, typer.Option("--json", help="Salida completa en JSON.")] = False,
) -> None:
    """Apoyos duplicados: personas en varios programas o repetidas en uno, y el importe."""
    from geo.resolve import duplicated_support

    with engine().connect() as conn:
        report = duplicated_support(conn)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for programa, count in sorted(report.personas_por_programa.items()):
        extra = report.duplicados_en_programa.get(programa, 0)
        typer.echo(f"  {programa}: {count:,} personas únicas; {extra:,} inscripciones repetidas")
    for (first, second), count in sorted(report.pares_de_programas.items()):
        typer.echo(f"  {first} y {second}: {count:,} personas en ambos")
    typer.echo(f"  importe de personas en varios programas: {report.importe_varios_programas}")
    typer.echo(f"  importe de inscripciones repetidas: {report.importe_repetido_en_programa}")
    typer.echo(f"  registros sin persona: {report.registros_sin_persona:,}")


def print_ingest(result: IngestResult) -> None:
    """Rows read, loaded and rejected, by reason and flag."""
    if result.ya_cargado:
        typer.echo(f"Sin cambios: este contenido ya se cargó en la carga {result.carga_id}.")
    else:
        typer.echo(
            f"Carga {result.carga_id}: {result.archivo} ({result.formato}, {result.codificacion}, "
            f"delimitador {result.delimitador!r})"
        )
    typer.echo(
        f"  leídas {result.filas_leidas:,} = cargadas {result.filas_cargadas:,} "
        f"+ rechazadas {result.filas_rechazadas:,}"
    )
    for motivo, count in sorted(result.rechazos.items()):
        typer.echo(f"  rechazo {motivo}: {count:,}")
    for bandera, count in result.banderas.items():
        typer.echo(f"  bandera {bandera}: {count:,}")


def print_pending(report: PendingReport) -> None:
    """What geocoding, resolution and the coverage refresh did after an ingest."""
    print_geocode(report.geocode)
    print_resolve(report.resolve)
    print_refresh(report.refresh)
    print_publication(report.publication)


def print_geocode(report: GeocodeReport) -> None:
    """Records placed, by precision and flag."""
    if not report.cargas:
        typer.echo("No hay cargas por ubicar.")
        return
    typer.echo(f"Ubicados {report.registros:,} registros de las cargas {report.cargas}")
    for precision, count in sorted(report.por_precision.items(), key=lambda kv: -kv[1]):
        typer.echo(f"  precisión {precision}: {count:,}")
    for bandera, count in report.por_bandera.items():
        typer.echo(f"  bandera {bandera}: {count:,}")


def print_resolve(report: ResolveReport) -> None:
    """Persons, resolved records and pairs waiting for review."""
    typer.echo(
        f"{report.personas:,} personas; {report.resueltos:,} registros resueltos, "
        f"{report.sin_resolver:,} sin persona; {report.en_revision:,} pares en revisión "
        "(padron revision listar)."
    )


def print_refresh(report: RefreshReport) -> None:
    """Programs and periods whose coverage was recomputed, and those left as they were."""
    if report.areas_reconstruidas:
        typer.echo("Áreas reconstruidas desde la geografía de referencia.")
    for programa, periodo in report.refrescados:
        typer.echo(f"  recalculado: {programa} {periodo or '(sin periodo)'}")
    for programa, periodo in report.sin_cambios:
        typer.echo(f"  sin cambios: {programa} {periodo or '(sin periodo)'}")
    if not report.refrescados:
        typer.echo("Nada que recalcular.")


def print_publication(report: PublicationReport) -> None:
    """What the publication holds after the refresh."""
    if not report.construida:
        typer.echo("Publicación sin cambios.")
        return
    typer.echo(
        f"Publicación (k = {report.k}): {report.celdas:,} cifras de {report.periodos} periodos; "
        f"{report.suprimidas:,} suprimidas ({report.primarias:,} con menos de {report.k} "
        "personas y las necesarias para que no se deduzcan)."
    )
