"""``padron cobertura``: refresh the coverage tables, export them, rank gaps, simulate."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.common import engine, group, settings
from geo.kernel.errors import InvalidParameter

app = group("Cobertura de programas y brechas de atención.")


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


@app.command("refrescar")
def refrescar(
    areas: Annotated[
        bool, typer.Option("--areas", help="Reconstruir también las áreas (tras cargar geografía).")
    ] = False,
) -> None:
    """Recalcula la cobertura de los periodos cuyas cargas cambiaron y rehace la publicación."""
    from cli.progress import progress_bars
    from cli.steps import print_publication, print_refresh
    from geo.coverage.rules import load_rules
    from geo.pipeline import refresh_and_publish

    current = settings()
    with progress_bars() as progress:
        refreshed, published = refresh_and_publish(
            engine(),
            load_rules(current.reglas_dir),
            k=current.k_anonimato,
            rebuild_areas=areas,
            progress=progress,
        )
    print_refresh(refreshed)
    print_publication(published)


@app.command("exportar")
def exportar(
    salida: Annotated[Path, typer.Option("--salida", help="Archivo de salida.")],
    nivel: Annotated[Nivel, typer.Option("--nivel", help="Nivel de agregación.")] = Nivel.municipio,
    programa: Annotated[str | None, typer.Option("--programa", help="Solo este programa.")] = None,
    periodo: Annotated[str | None, typer.Option("--periodo", help="Solo este periodo.")] = None,
    formato: Annotated[Formato, typer.Option("--formato", help="csv o geojson.")] = Formato.csv,
) -> None:
    """Escribe la tabla de cobertura (datos agregados, sin datos personales)."""
    from geo.coverage.queries import (
        CoverageFilter,
        feature_collection,
        iter_coverage,
        list_coverage,
        write_csv,
    )

    f = CoverageFilter(nivel=nivel.value, programa=programa, periodo=periodo)
    with engine().connect() as conn, salida.open("w", encoding="utf-8", newline="") as handle:
        if formato is Formato.csv:
            count = write_csv(iter_coverage(conn, f), handle)
        else:
            rows: list[dict[str, object]] = []
            total = None
            while total is None or len(rows) < total:
                page, total = list_coverage(conn, f, limit=1000, offset=len(rows), geometry=True)
                if not page:
                    break
                rows.extend(page)
            json.dump(feature_collection(rows, len(rows)), handle, ensure_ascii=False)
            count = len(rows)
    typer.echo(f"{count:,} filas escritas en {salida}.")


@app.command("brechas")
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
    from geo.coverage.queries import GapFilter, gaps

    with engine().connect() as conn:
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
    typer.echo(f"Periodo {used or '(sin periodo)'}: {total:,} localidades.")
    for row in rows:
        place = f"{row['cvegeo']} {row['nom_loc']} ({row['nom_mun']})"
        typer.echo(f"{row['lugar']:>4}. {place}: {row['motivo']}")


@app.command("simular")
def simular(
    edad_min: Annotated[int | None, typer.Option("--edad-min")] = None,
    edad_max: Annotated[int | None, typer.Option("--edad-max")] = None,
    sexo: Annotated[str | None, typer.Option("--sexo", help="M (mujeres) o H (hombres).")] = None,
    grado: Annotated[list[str] | None, typer.Option("--grado", help="Grado (repetible).")] = None,
    periodo: Annotated[str | None, typer.Option("--periodo")] = None,
    programa: Annotated[
        list[str] | None, typer.Option("--programa", help="Programas actuales (repetible).")
    ] = None,
    poblacion_min: Annotated[int, typer.Option("--poblacion-min")] = 0,
    limite: Annotated[int, typer.Option("--limite")] = 20,
) -> None:
    """Población objetivo de un programa nuevo por localidad y cuánta ya atienden los actuales."""
    from pydantic import ValidationError

    from geo.coverage.rules import Target
    from geo.coverage.simulate import simulate

    try:
        target = Target(edad_min=edad_min, edad_max=edad_max, sexo=sexo, grados=grado or [])
    except ValidationError as error:
        raise InvalidParameter(f"Criterios no válidos: {error.errors()[0]['msg']}") from None
    with engine().connect() as conn:
        result = simulate(
            conn, target, periodo=periodo, programas=programa,
            poblacion_min=poblacion_min, limit=limite,
        )  # fmt: skip
    typer.echo(
        f"{result.grupo}: {result.poblacion_objetivo:,} en {result.localidades:,} localidades; "
        f"ya atendidas {result.ya_atendidos:,}."
    )
    for row in result.detalle:
        typer.echo(
            f"  {row['cvegeo']} {row['nom_loc']} ({row['nom_mun']}, {row['gm']}): "
            f"objetivo {row['poblacion_objetivo']:,.0f}, atendidas {row['ya_atendidos']:,}, "
            f"sin atender {row['sin_atender']:,.0f}"
        )
