"""``padron reglas``: rules of operation checked against the records, and anomaly counts."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import engine, group, settings
from geo.kernel.errors import InvalidParameter

app = group("Reglas de operación y anomalías.")


@app.command("validar")
def validar(
    periodo: Annotated[str | None, typer.Option("--periodo", help="Solo este periodo.")] = None,
    detalle: Annotated[
        int, typer.Option("--detalle", help="Mostrar hasta N registros por programa.")
    ] = 0,
) -> None:
    """Valida los archivos de reglas y cuenta las violaciones por programa y regla."""
    from geo.coverage.rules import RULES, load_rules, violations

    reglas_dir = settings().reglas_dir
    rules = load_rules(reglas_dir)
    if not rules:
        raise InvalidParameter(f"No hay reglas en {reglas_dir}.")
    with engine().connect() as conn:
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


@app.command("anomalias")
def anomalias(
    periodo: Annotated[str | None, typer.Option("--periodo", help="Periodo.")] = None,
) -> None:
    """Anomalías (conteos): sobrecobertura, programas incompatibles, fuera de objetivo,
    apoyo duplicado y ubicaciones no confiables."""
    from geo.coverage.anomalies import anomaly_counts
    from geo.coverage.rules import load_rules

    with engine().connect() as conn:
        found = anomaly_counts(conn, load_rules(settings().reglas_dir), periodo)
    found.pop("reglas")
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2, default=str))
