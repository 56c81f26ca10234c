"""``padron boundaries``: INEGI/CONAPO reference geography, loaded or downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import engine, group, settings

if TYPE_CHECKING:
    from boundaries.load import LoadReport

app = group("Geografía de referencia INEGI/CONAPO.")


@app.command("load")
def load(
    desde: Annotated[
        Path | None,
        typer.Option(
            "--desde", help="Directorio con los productos (por omisión, PADRON_DATA_DIR)."
        ),
    ] = None,
    entidad: Annotated[str, typer.Option("--entidad", help="Clave INEGI de la entidad.")] = "20",
    iml: Annotated[
        Path | None, typer.Option("--iml", help="Índice de marginación por localidad (CONAPO).")
    ] = None,
    sepomex: Annotated[
        Path | None, typer.Option("--sepomex", help="Catálogo de códigos postales (SEPOMEX).")
    ] = None,
) -> None:
    """Carga municipios, localidades, censo y marginación, con verificaciones, y reconstruye
    sobre ellos las áreas de cobertura (y la cobertura ya calculada)."""
    from boundaries.load import SourceFiles
    from cli.steps import print_publication, print_refresh
    from geo.coverage.rules import load_rules
    from geo.kernel.db import upgrade
    from geo.pipeline import load_geography

    current = settings()
    target = engine()
    upgrade(target)
    report = load_geography(
        target,
        SourceFiles.discover(desde or current.data_dir),
        entidad.zfill(2),
        load_rules(current.reglas_dir),
        iml=iml,
        sepomex=sepomex,
        k=current.k_anonimato,
    )
    if report.localidades_iml is not None:
        typer.echo(f"  IML: {report.localidades_iml:,} localidades")
    if report.asentamientos_sepomex is not None:
        typer.echo(f"  SEPOMEX: {report.asentamientos_sepomex:,} asentamientos")
    print_load(report.load)
    if report.coverage is not None:
        print_refresh(report.coverage[0])
        print_publication(report.coverage[1])


def print_load(report: LoadReport) -> None:
    """What a load of the reference geography did."""
    if not report.changed:
        typer.echo("Sin cambios: esos archivos ya estaban cargados.")
    for table, count in report.counts.items():
        typer.echo(f"  {table}: {count:,}")
    typer.echo(
        f"  localidades fuera de su municipio (señaladas): {report.localidades_fuera_de_municipio}"
    )
    typer.echo(
        f"  polígonos fuera de su municipio (señalados): {report.poligonos_fuera_de_municipio}"
    )
    typer.echo(f"  marginación por fuente: {report.fuentes_marginacion}")


@app.command("fetch")
def fetch(
    entidad: Annotated[str, typer.Option("--entidad", help="Clave INEGI de la entidad (01-32).")],
    destino: Annotated[
        Path | None,
        typer.Option("--destino", help="Caché de descargas (por omisión PADRON_HOME/descargas)."),
    ] = None,
    producto: Annotated[
        list[str] | None, typer.Option("--producto", help="Solo estos productos (repetible).")
    ] = None,
) -> None:
    """Descarga de sus editores (INEGI, CONAPO) los productos de una entidad, con sumas SHA-256."""
    from boundaries.fetch import fetch_state
    from cli.progress import progress_bars

    cache = destino or settings().home / "descargas"
    with progress_bars() as progress:
        fetched = fetch_state(entidad, cache, products=producto, progress=progress)
    for item in fetched:
        origin = "caché" if item.from_cache else item.url
        typer.echo(f"  {item.product}: {item.path} ({origin}; sha256 {item.sha256[:12]}…)")
    typer.echo(f"Listo; cargue con: padron boundaries load --desde {cache} --entidad {entidad}")
