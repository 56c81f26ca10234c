"""``padron cobertura``: refresh the coverage tables, export them, rank gaps."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

cobertura_app = typer.Typer(
    help="Cobertura de programas y brechas de atención.", no_args_is_help=True
)


class Nivel(StrEnum):
    """Aggregation levels."""

    localidad = "localidad"
    municipio = "municipio"
    distrito = "distrito"
    region = "region"


class Formato(StrEnum):
    """Export encodings."""

    csv = "csv"
    geojson = "geojson"


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@cobertura_app.command("refrescar")
def refrescar(
    areas: Annotated[
        bool, typer.Option("--areas", help="Reconstruir también las áreas (tras cargar geografía).")
    ] = False,
) -> None:
    """Recalcula la cobertura solo de los programas y periodos cuyas cargas cambiaron."""
    from api.cli import _engine
    from geo.coverage.refresh import refresh

    report = refresh(_engine(), rebuild_areas=areas)
    if report.areas_reconstruidas:
        typer.echo("Áreas reconstruidas desde la geografía de referencia.")
    for programa, periodo in report.refrescados:
        typer.echo(f"  recalculado: {programa} {periodo or '(sin periodo)'}")
    for programa, periodo in report.sin_cambios:
        typer.echo(f"  sin cambios: {programa} {periodo or '(sin periodo)'}")
    if not report.refrescados:
        typer.echo("Nada que recalcular.")


@cobertura_app.command("exportar")
def exportar(
    out: Annotated[Path, typer.Option("--out", help="Archivo de salida.")],
    nivel: Annotated[Nivel, typer.Option("--nivel", help="Nivel de agregación.")] = Nivel.municipio,
    programa: Annotated[str | None, typer.Option("--programa", help="Solo este programa.")] = None,
    periodo: Annotated[str | None, typer.Option("--periodo", help="Solo este periodo.")] = None,
    formato: Annotated[Formato, typer.Option("--formato", help="csv o geojson.")] = Formato.csv,
) -> None:
    """Escribe la tabla de cobertura (datos agregados, sin datos personales)."""
    from api.cli import _engine
    from geo.coverage.queries import (
        CoverageFilter,
        feature_collection,
        iter_coverage,
        list_coverage,
        write_csv,
    )
    from geo.errors import PadronError

    f = CoverageFilter(nivel=nivel.value, programa=programa, periodo=periodo)
    try:
        with _engine().connect() as conn, out.open("w", encoding="utf-8", newline="") as handle:
            if formato is Formato.csv:
                count = write_csv(iter_coverage(conn, f), handle)
            else:
                rows: list[dict[str, object]] = []
                total = None
                while total is None or len(rows) < total:
                    page, total = list_coverage(
                        conn, f, limit=1000, offset=len(rows), geometry=True
                    )
                    if not page:
                        break
                    rows.extend(page)
                json.dump(feature_collection(rows, len(rows)), handle, ensure_ascii=False)
                count = len(rows)
    except PadronError as error:
        raise _fail(str(error)) from None
    typer.echo(f"{count:,} filas escritas en {out}.")


@cobertura_app.command("brechas")
def brechas(
    periodo: Annotated[str | None, typer.Option("--periodo", help="Periodo.")] = None,
    programa: Annotated[
        list[str] | None, typer.Option("--programa", help="Programa (repetible).")
    ] = None,
    grado: Annotated[list[str] | None, typer.Option("--grado", help="Grado (repetible).")] = None,
    poblacion_min: Annotated[int | None, typer.Option("--poblacion-min")] = None,
    cobertura_max: Annotated[
        float | None, typer.Option("--cobertura-max", help="Fracción: 0.1 = 10 %.")
    ] = None,
    grupo: Annotated[str, typer.Option("--grupo", help="total, mujeres, 65+, 6-17…")] = "total",
    limite: Annotated[int, typer.Option("--limite")] = 20,
) -> None:
    """Localidades priorizadas para focalizar, con el motivo de su lugar."""
    from api.cli import _engine
    from geo.coverage.queries import GapFilter, gaps
    from geo.errors import PadronError

    try:
        with _engine().connect() as conn:
            rows, total, used = gaps(
                conn,
                GapFilter(
                    periodo=periodo,
                    programas=programa,
                    grados=grado,
                    poblacion_min=poblacion_min,
                    cobertura_max=cobertura_max,
                    grupo=grupo,
                ),
                limit=limite,
            )
    except PadronError as error:
        raise _fail(str(error)) from None
    typer.echo(f"Periodo {used or '(sin periodo)'}: {total:,} localidades.")
    for row in rows:
        place = f"{row['cvegeo']} {row['nom_loc']} ({row['nom_mun']})"
        typer.echo(f"{row['lugar']:>4}. {place}: {row['motivo']}")
