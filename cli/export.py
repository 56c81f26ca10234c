"""``padron export``: records, rejected rows and a batch's original file, written to disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import engine, group
from geo.kernel.errors import PadronError

app = group("Exportaciones a archivo.")


@app.command("registros")
def registros(
    salida: Annotated[Path, typer.Option("--salida", help="Archivo CSV de salida.")],
) -> None:
    """Un renglón por registro: programa, folio, persona, clave, punto, precisión, banderas."""
    from geo.publish.records import export_records

    with salida.open("w", encoding="utf-8", newline="") as handle, engine().connect() as conn:
        count = export_records(conn, handle)
    typer.echo(f"{count:,} registros escritos en {salida}.")


@app.command("rechazos")
def rechazos(
    salida: Annotated[Path, typer.Option("--salida", help="Archivo CSV de salida.")],
    carga: Annotated[int | None, typer.Option("--carga", help="Solo esta carga.")] = None,
) -> None:
    """Escribe los renglones rechazados (con sus valores originales) en CSV."""
    from geo.ingest import export_rejects

    with salida.open("w", encoding="utf-8", newline="") as handle, engine().connect() as conn:
        count = export_rejects(conn, handle, carga)
    typer.echo(f"{count:,} rechazos escritos en {salida}.")


@app.command("original")
def original(
    carga: Annotated[int, typer.Option("--carga", help="Carga cuyo archivo se escribe.")],
    salida: Annotated[Path, typer.Option("--salida", help="Archivo de salida.")],
) -> None:
    """Escribe el archivo de una carga tal como se recibió (verificado con su SHA-256)."""
    from geo.ingest.archive import write_original

    try:
        with salida.open("wb") as handle, engine().connect() as conn:
            size = write_original(conn, carga, handle)
    except PadronError:
        salida.unlink(missing_ok=True)
        raise
    typer.echo(f"{size:,} bytes de la carga {carga} escritos en {salida}.")
