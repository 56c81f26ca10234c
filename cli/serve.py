"""``padron serve``, ``padron synth`` and ``padron demo``: the service, sample rosters, and the
main job that puts them together."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import engine, settings

if TYPE_CHECKING:
    from api.settings import Settings
    from devtools.synth import SynthSummary

Host = Annotated[str | None, typer.Option("--host", help="Interfaz (por omisión PADRON_HOST).")]
Puerto = Annotated[int | None, typer.Option("--puerto", help="Puerto (por omisión PADRON_PORT).")]


def serve(
    host: Host = None,
    puerto: Puerto = None,
) -> None:
    """Sirve la API y el mapa."""
    run_server(settings(), host, puerto)


def run_server(current: Settings, host: str | None, puerto: int | None) -> None:
    """Serve the app built from ``current`` until interrupted."""
    import uvicorn

    from api.app import create_app
    from api.logs import log_config

    host = host or current.host
    puerto = puerto or current.port
    typer.echo(f"Mapa: http://{host}:{puerto}/mapa  ·  API: http://{host}:{puerto}/docs")
    uvicorn.run(
        create_app(current), host=host, port=puerto, log_level="info", log_config=log_config()
    )


def synth(
    salida: Annotated[Path, typer.Option("--salida", help="Directorio de salida.")],
    escala: Annotated[
        float, typer.Option("--escala", help="Fracción de los tamaños reales (1 = 3.82 M filas).")
    ] = 0.01,
    semilla: Annotated[
        int, typer.Option("--semilla", help="Semilla (mismos archivos byte a byte).")
    ] = 2016,
) -> None:
    """Escribe padrones sintéticos (formato PUB) sobre las localidades reales, con su verdad."""
    from devtools.synth import SynthConfig, generate

    print_synth(generate(settings().data_dir, salida, SynthConfig.seed_sized(escala, semilla)))


def print_synth(summary: SynthSummary) -> None:
    """The files written and the size of their ground truth."""
    for name, rows in summary.files.items():
        typer.echo(f"  {summary.truth.parent / name}: {rows:,} filas")
    typer.echo(f"  {summary.truth}: verdad de {summary.people:,} personas")


def demo(
    host: Host = None,
    puerto: Puerto = None,
) -> None:
    """Trabajo principal: base local, geografía de Oaxaca, padrón de muestra (cargado, ubicado,
    resuelto en personas y con cobertura), API y mapa."""
    from boundaries.load import SourceFiles, load_state
    from cli.boundaries import print_load
    from cli.steps import print_ingest, print_pending
    from devtools.synth import SynthConfig, generate
    from geo.coverage.rules import load_rules, target_groups
    from geo.kernel.db import upgrade
    from geo.pipeline import RosterFile, process_rosters

    current = settings()
    target = engine()
    upgrade(target)
    print_load(load_state(target, SourceFiles.discover(current.data_dir), "20"))
    sample = current.home / "muestra"
    config = SynthConfig.seed_sized(scale=0.01)
    if not (sample / "verdad.csv").exists():
        print_synth(generate(current.data_dir, sample, config))
    rosters = [RosterFile(sample / p.file_name, p.code, p.period) for p in config.programs]
    report = process_rosters(target, rosters, target_groups(load_rules(current.reglas_dir)))
    for ingested in report.ingests:
        print_ingest(ingested)
    print_pending(report.pending)
    run_server(current, host, puerto)
