"""``padron revision``: the queue of doubtful pairs left by ``padron resolve``, and decisions."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from cli.common import engine, group

app = group("Cola de revisión: pares dudosos de la deduplicación.")


@app.command("listar")
def listar(
    limite: Annotated[int, typer.Option("--limite", help="Pares a mostrar (1-1000).")] = 20,
    desplazamiento: Annotated[int, typer.Option("--desplazamiento", help="Pares a saltar.")] = 0,
) -> None:
    """Pares pendientes, el más probable primero (contiene datos personales)."""
    from geo.resolve import review_queue

    with engine().connect() as conn:
        items = review_queue(conn, limite, desplazamiento)
    for item in items:
        typer.echo(json.dumps(asdict(item), ensure_ascii=False, default=str))
    if not items:
        typer.echo("No hay pares pendientes de revisión.")


@app.command("decidir")
def decidir(
    par: Annotated[int, typer.Argument(help="Número del par (campo id de listar).")],
    decision: Annotated[str, typer.Argument(help="misma o distinta.")],
    usuario: Annotated[str | None, typer.Option("--usuario", help="Quién decide.")] = None,
) -> None:
    """Registra la decisión; la siguiente corrida de ``padron resolve`` la aplica."""
    from geo.resolve import decide_review

    with engine().begin() as conn:
        decide_review(conn, par, decision, usuario)
    typer.echo(f"Par {par}: {decision}. Ejecute padron resolve para aplicarla.")
