"""What every command shares: settings, the engine, and the one handler of library errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from api.settings import Settings, resolve_database_url
from geo.kernel.errors import PadronError

if TYPE_CHECKING:
    from sqlalchemy import Engine


class PadronGroup(TyperGroup):
    """The root group: a :class:`~geo.kernel.errors.PadronError` raised by any command below it
    is printed as one red line (its message is written for the user) and exits with status 1."""

    def invoke(self, ctx: Any) -> Any:  # click.Context, which typer vendors privately
        """Run the command; a library error is reported, not raised."""
        try:
            return super().invoke(ctx)
        except PadronError as error:
            typer.secho(str(error), fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from None


def settings() -> Settings:
    """The settings of this run (environment and ``.env``)."""
    return Settings()


def engine() -> Engine:
    """An engine on ``DATABASE_URL``, or on the project's own cluster (started if needed)."""
    from geo.kernel.db import make_engine

    return make_engine(resolve_database_url(settings()))


def group(help_text: str) -> typer.Typer:
    """A command group that prints its help when called without a command."""
    return typer.Typer(help=help_text, no_args_is_help=True)
