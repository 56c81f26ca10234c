"""``padron cobertura``: refresh the coverage tables, export them, rank gaps."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

reglas_app = typer.Typer(help="Reglas de operación y anomalías.", no_args_is_help=True)
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
    from api.cli import _engine, _settings
    from geo.coverage.refresh import refresh
    from geo.coverage.rules import load_rules, target_groups
    from geo.errors import PadronError

    try:
        groups = target_groups(load_rules(_settings().reglas_dir))
        report = refresh(_engine(), groups, rebuild_areas=areas)
    except PadronError as error:
        raise _fail(str(error)) from None
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


@cobertura_app.command("simular")
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

    from api.cli import _engine
    from geo.coverage.rules import Target
    from geo.coverage.simulate import simulate
    from geo.errors import PadronError

    try:
        target = Target(edad_min=edad_min, edad_max=edad_max, sexo=sexo, grados=grado or [])
        with _engine().connect() as conn:
            result = simulate(
                conn, target, periodo=periodo, programas=programa,
                poblacion_min=poblacion_min, limit=limite,
            )  # fmt: skip
    except ValidationError as error:
        raise _fail(f"Criterios no válidos: {error.errors()[0]['msg']}") from None
    except PadronError as error:
        raise _fail(str(error)) from None
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


@reglas_app.command("validar")
def validar(
    periodo: Annotated[str | None, typer.Option("--periodo", help="Solo este periodo.")] = None,
    detalle: Annotated[
        int, typer.Option("--detalle", help="Mostrar hasta N registros por programa.")
    ] = 0,
) -> None:
    """Valida los archivos de reglas y cuenta las violaciones por programa y regla."""
    from api.cli import _engine, _settings
    from geo.coverage.rules import RULES, load_rules, violations
    from geo.errors import PadronError

    settings = _settings()
    try:
        rules = load_rules(settings.reglas_dir)
    except PadronError as error:
        raise _fail(str(error)) from None
    if not rules:
        raise _fail(f"No hay reglas en {settings.reglas_dir}.")
    with _engine().connect() as conn:
        for program in rules.values():
            found = violations(
                conn, program, periodo=periodo, detalle=detalle > 0, limit=max(detalle, 1)
            )
            typer.echo(
                f"{found.programa}: {found.registros:,} registros, "
                f"{found.registros_con_violacion:,} con alguna violación"
            )
            for rule, count in found.por_regla.items():
                typer.echo(f"  {rule}: {count:,} ({RULES[rule]})")
            for row in found.detalle:
                where = f"carga {row['carga']} folio {row['folio']}"
                typer.echo(f"    {where}: {row['regla']} {row['detalle'] or ''}")


@reglas_app.command("anomalias")
def anomalias(
    periodo: Annotated[str | None, typer.Option("--periodo", help="Periodo.")] = None,
) -> None:
    """Anomalías (conteos): sobrecobertura, programas incompatibles, fuera de objetivo,
    apoyo duplicado y ubicaciones no confiables."""
    import json

    from api.cli import _engine, _settings
    from geo.coverage.anomalies import anomaly_counts
    from geo.coverage.rules import load_rules
    from geo.errors import PadronError

    try:
        with _engine().connect() as conn:
            found = anomaly_counts(conn, load_rules(_settings().reglas_dir), periodo)
    except PadronError as error:
        raise _fail(str(error)) from None
    found.pop("reglas")
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2, default=str))
