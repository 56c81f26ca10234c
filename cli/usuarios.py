"""``padron usuarios``: create, list and deactivate users, and issue tokens.

Bootstrap: the first admin is created here (``padron usuarios crear NOMBRE --rol admin``),
since only an admin token can reach the admin endpoints.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from cli.common import engine, group

app = group("Usuarios, roles, áreas y tokens de acceso.")


@app.command("crear")
def crear(
    nombre: Annotated[str, typer.Argument(help="Nombre de usuario.")],
    rol: Annotated[str, typer.Option("--rol", help="campo, planeacion o admin.")],
    contrasena: Annotated[
        str,
        typer.Option(
            "--contrasena",
            prompt="Contraseña",
            hide_input=True,
            confirmation_prompt=True,
            envvar="PADRON_NUEVA_CONTRASENA",
            help="Se pide sin mostrarla si no se da (o PADRON_NUEVA_CONTRASENA).",
        ),
    ],
    municipio: Annotated[
        list[str] | None, typer.Option("--municipio", help="CVEGEO de 5 dígitos (repetible).")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Región de Oaxaca (repetible).")
    ] = None,
) -> None:
    """Crea un usuario; el personal de campo necesita municipios o regiones."""
    from geo.access.users import create_user
    from geo.kernel.db import upgrade

    target = engine()
    upgrade(target)
    with target.begin() as conn:
        create_user(conn, nombre, rol, contrasena, municipio or (), region or ())
    typer.echo(f"Usuario {nombre} creado con rol {rol}.")


@app.command("listar")
def listar() -> None:
    """Lista los usuarios con su rol, área y estado."""
    from geo.access.users import list_users

    with engine().connect() as conn:
        users = list_users(conn)
    for user in users:
        area = ", ".join([*user["municipios"], *user["regiones"]]) or "todo el padrón"
        estado = "activo" if user["activo"] else "inactivo"
        typer.echo(f"{user['nombre']}\t{user['rol']}\t{estado}\t{area}")


@app.command("desactivar")
def desactivar(nombre: Annotated[str, typer.Argument(help="Nombre de usuario.")]) -> None:
    """Desactiva un usuario y revoca sus tokens."""
    from geo.access.users import deactivate_user

    with engine().begin() as conn:
        deactivate_user(conn, nombre)
    typer.echo(f"Usuario {nombre} desactivado; sus tokens ya no sirven.")


@app.command("token")
def token(
    nombre: Annotated[str, typer.Argument(help="Nombre de usuario.")],
    minutos: Annotated[int, typer.Option("--minutos", min=1, help="Vigencia.")] = 480,
) -> None:
    """Emite un token de acceso (se muestra una sola vez)."""
    from geo.access.users import issue_token_by_name

    with engine().begin() as conn:
        issued = issue_token_by_name(conn, nombre, timedelta(minutes=minutos))
    typer.echo(issued.access_token)
    typer.echo(f"Vence: {issued.expira_en.isoformat()}", err=True)
