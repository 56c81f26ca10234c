"""``padron revision``: the queue of doubtful pairs left by ``padron resolve``, and decisions."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import engine, group

if TYPE_CHECKING:
    from geo.resolve import ReviewItem

app = group("Cola de revisión: pares dudosos de la deduplicación.")


@app.command("listar")
def listar(
    limite: Annotated[int, typer.Option("--limite", help="Pares a mostrar (1-1000).")] = 20,
    desplazamiento: Annotated[int, typer.Option("--desplazamiento", help="Pares a saltar.")] = 0,
    como_json: Annotated[
        bool, typer.Option("--json", help="Un objeto JSON por par en lugar de la tabla.")
    ] = False,
) -> None:
    """Pares pendientes, el más probable primero, con cada comparación lado a lado (contiene
    datos personales)."""
    from geo.resolve import review_queue

    with engine().connect() as conn:
        items = review_queue(conn, limite, desplazamiento)
    for item in items:
        if como_json:
            typer.echo(json.dumps(asdict(item), ensure_ascii=False, default=str))
        else:
            typer.echo(_side_by_side(item))
    if not items:
        typer.echo("No hay pares pendientes de revisión.")


def _side_by_side(item: ReviewItem) -> str:
    """One pair as a table: each comparison's values in both records, its level and weight."""
    a, b = item.registro, item.candidato
    persona = f"persona {b['persona_id']}" if b.get("persona_id") else "sin persona"
    lines = [
        f"Par {item.id} · probabilidad {item.probabilidad:.4f}",
        f"  registro {a['id']} ({a['programa']} {a['folio']}) · "
        f"candidato {b['id']} ({b['programa']} {b['folio']}, {persona})",
    ]
    rows: list[tuple[str, ...]] = [("comparación", "registro", "candidato", "nivel", "peso")]
    for c in item.comparaciones:
        rows.append(
            (c["comparacion"], _cell(c["registro"]), _cell(c["candidato"]),
             c["nivel"] or "sin dato", f"{c['peso']:+.1f}")
        )  # fmt: skip
    if len(rows) == 1:
        rows += [(k, _cell(a.get(k)), _cell(b.get(k)), "", "") for k in a if k != "id"]
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        cells[-1] = row[-1].rjust(widths[-1])
        lines.append("  " + "  ".join(cells).rstrip())
    lines.append("")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


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
