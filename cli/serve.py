"""``padron serve``, ``padron synth`` and ``padron demo``: the service, sample rosters, and the
main job that puts them together."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import engine, settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from api.settings import Settings
    from devtools.synth import SynthSummary

Host = Annotated[str | None, typer.Option("--host", help="Interfaz (por omisión PADRON_HOST).")]
Puerto = Annotated[int | None, typer.Option("--puerto", help="Puerto (por omisión PADRON_PORT).")]
Procesos = Annotated[
    int,
    typer.Option(
        "--procesos",
        "--workers",
        min=1,
        help="Procesos que atienden solicitudes (uno por núcleo en producción); cada uno abre "
        "PADRON_DB_POOL_SIZE conexiones a la base.",
    ),
]


def serve(host: Host = None, puerto: Puerto = None, procesos: Procesos = 1) -> None:
    """Sirve la API y el mapa."""
    run_server(settings(), host, puerto, procesos)


def run_server(current: Settings, host: str | None, puerto: int | None, procesos: int = 1) -> None:
    """Serve the app built from ``current`` until interrupted, in ``procesos`` processes."""
    import os

    import uvicorn

    from api.app import create_app
    from api.logs import log_config
    from api.settings import resolve_database_url

    host = host or current.host
    puerto = puerto or current.port
    typer.echo(f"Mapa: http://{host}:{puerto}/mapa  ·  API: http://{host}:{puerto}/docs")
    # Each process of several imports the app and reads the same environment: the database is
    # resolved once, here, so that they do not all start the local cluster at the same time.
    app: object = create_app(current)
    if procesos > 1:
        os.environ["DATABASE_URL"] = resolve_database_url(current)
        app = "api.main:app"
    # Forwarded headers are the app's to trust (PADRON_TRUSTED_PROXIES), never uvicorn's,
    # whose default believes any client on 127.0.0.1; the access log leaves query strings out.
    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=host,
        port=puerto,
        workers=procesos,
        log_level="info",
        proxy_headers=False,
        log_config=log_config(),
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
    from cli.progress import progress_bars
    from devtools.synth import SynthConfig, generate

    config = SynthConfig.seed_sized(escala, semilla)
    with progress_bars() as progress:
        summary = generate(settings().data_dir, salida, config, progress)
    print_synth(summary)


def print_synth(summary: SynthSummary) -> None:
    """The files written and the size of their ground truth."""
    for name, rows in summary.files.items():
        typer.echo(f"  {summary.truth.parent / name}: {rows:,} filas")
    typer.echo(f"  {summary.truth}: verdad de {summary.people:,} personas")


def demo(
    host: Host = None,
    puerto: Puerto = None,
) -> None:
    """Trabajo principal: base local, Oaxaca, padrón de muestra procesado, API y mapa.

    La geografía de Oaxaca, un padrón sintético de muestra cargado, ubicado, resuelto en
    personas, con cobertura y publicación, y el servicio con el mapa.
    """
    current = settings()
    fill_demo(current, engine())
    run_server(current, host, puerto)


DEMO_SCALE = 0.01
"""The demo's sample rosters: 1 % of Oaxaca's real sizes (38,218 rows)."""


def fill_demo(current: Settings, target: Engine, scale: float = DEMO_SCALE) -> None:
    """What ``padron demo`` puts in ``target``: the newest schema, Oaxaca's geography, and
    sample rosters of ``scale`` (written once under ``PADRON_HOME/muestra``) through the whole
    pipeline. The tests fill their demo database with this too, at a smaller scale."""
    from boundaries.load import SourceFiles
    from cli.boundaries import print_load
    from cli.progress import progress_bars
    from cli.steps import print_ingest, print_pending
    from devtools.synth import SynthConfig, generate
    from geo.coverage.rules import load_rules
    from geo.kernel.db import upgrade
    from geo.pipeline import RosterFile, load_geography, process_rosters

    upgrade(target)
    rules = load_rules(current.reglas_dir)
    sources = SourceFiles.discover(current.data_dir)
    print_load(load_geography(target, sources, "20", rules, k=current.k_anonimato).load)
    sample = current.home / "muestra"
    config = SynthConfig.seed_sized(scale)
    if not (sample / "verdad.csv").exists():
        with progress_bars() as progress:
            summary = generate(current.data_dir, sample, config, progress)
        print_synth(summary)
    rosters = [RosterFile(sample / p.file_name, p.code, p.period) for p in config.programs]
    with progress_bars() as progress:
        report = process_rosters(target, rosters, rules, progress, k=current.k_anonimato)
    for ingested in report.ingests:
        print_ingest(ingested)
    print_pending(report.pending)
