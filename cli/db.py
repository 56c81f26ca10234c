"""``padron db``: the project's own PostgreSQL cluster and the schema migrations."""

from __future__ import annotations

import typer

from cli.common import engine, group, settings
from geo.kernel.errors import InvalidParameter

app = group("Base de datos: clúster local y migraciones.")


@app.command("start")
def start() -> None:
    """Crea (si hace falta) e inicia el clúster PostgreSQL local del proyecto."""
    from devtools.cluster import LocalCluster

    current = settings()
    if current.database_url:
        raise InvalidParameter(
            "DATABASE_URL está definida: se usa ese servidor, no el clúster local."
        )
    url = LocalCluster(current.cluster_dir).start()
    typer.echo(f"PostgreSQL local en marcha: {url}")


@app.command("stop")
def stop() -> None:
    """Detiene el clúster local."""
    from devtools.cluster import LocalCluster

    LocalCluster(settings().cluster_dir).stop()
    typer.echo("PostgreSQL local detenido.")


@app.command("status")
def status() -> None:
    """Informa si el clúster local existe y está en marcha, y la revisión del esquema."""
    from devtools.cluster import LocalCluster

    current = settings()
    if current.database_url:
        typer.echo("Servidor externo (DATABASE_URL).")
        return
    found = LocalCluster(current.cluster_dir).status()
    typer.echo(f"directorio: {found.data_dir}")
    typer.echo(f"inicializado: {'sí' if found.initialised else 'no'}")
    typer.echo(f"en marcha: {'sí' if found.running else 'no'}")
    if found.url:
        typer.echo(f"url: {found.url}")
    if not found.running:
        raise typer.Exit(code=3)


@app.command("upgrade")
def upgrade() -> None:
    """Lleva el esquema de la base de datos a la última migración."""
    from geo.kernel.db import current_revision
    from geo.kernel.db import upgrade as migrate

    target = engine()
    migrate(target)
    typer.echo(f"Esquema en la revisión {current_revision(target)}.")
