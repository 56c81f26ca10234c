"""The ``padron`` command: every command group and command, assembled in one place."""

from __future__ import annotations

import logging

import typer

from cli import (
    boundaries,
    cargas,
    cobertura,
    db,
    export,
    reglas,
    revision,
    serve,
    steps,
    usuarios,
)
from cli.common import PadronGroup

app = typer.Typer(
    cls=PadronGroup, help="Padrón Único de Beneficiarios (Oaxaca).", no_args_is_help=True
)
app.add_typer(db.app, name="db")
app.add_typer(boundaries.app, name="boundaries")
app.command("ingest")(steps.ingest)
app.command("geocode")(steps.geocode)
app.command("resolve")(steps.resolve)
app.command("duplicados")(steps.duplicados)
app.add_typer(cargas.app, name="cargas")
app.add_typer(revision.app, name="revision")
app.add_typer(cobertura.app, name="cobertura")
app.add_typer(reglas.app, name="reglas")
app.add_typer(export.app, name="export")
app.add_typer(usuarios.app, name="usuarios")
app.command("synth")(serve.synth)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)


def main() -> None:
    """Entry point of the ``padron`` script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app()
