"""``padron cargas``: what is done with a loaded batch as a whole."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from cli.common import engine, group, settings

app = group("Cargas de padrones ya recibidas.")


@app.command("retirar")
def retirar(
    carga: Annotated[int, typer.Argument(help="Id de la carga a retirar.", min=1, max=2**63 - 1)],
    motivo: Annotated[
        str | None, typer.Option("--motivo", help="Por qué se retira (queda en la bitácora).")
    ] = None,
    usuario: Annotated[
        str | None,
        typer.Option("--usuario", help="Quién la retira (por omisión, el usuario del sistema)."),
    ] = None,
) -> None:
    """Retira una carga: sus registros salen de todas las tablas en una sola transacción.

    Ubicación, personas y cobertura quedan como antes de la carga; la carga queda marcada como
    retirada y su archivo original se conserva (padron export original).
    """
    from geo.coverage.rules import load_rules
    from geo.pipeline import withdraw_batch

    current = settings()
    report = withdraw_batch(
        engine(),
        carga,
        usuario or getpass.getuser(),
        motivo,
        load_rules(current.reglas_dir),
        current.photo_dir,
        k=current.k_anonimato,
    )
    typer.echo(
        f"Carga {report.carga_id} ({report.programa}) retirada: {report.registros:,} registros, "
        f"{report.rechazos:,} rechazos, {report.personas:,} personas sin otro registro, "
        f"{report.fotos:,} fotos."
    )
    changed = sorted(report.refresh.refrescados + report.refresh.retirados)
    pairs = ", ".join(f"{p} {q}".strip() for p, q in changed) or "ninguna"
    typer.echo(f"Cobertura recalculada: {pairs}.")
