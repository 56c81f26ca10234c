"""Admin: the audit log (query and CSV export) and the control panel."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import ConnDep
from api.security import AdminUser
from geo.access import query_audit, write_audit_csv
from geo.panel import control_panel

router = APIRouter(tags=["administración"])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def _audit(
    conn: ConnDep,
    usuario: str | None,
    registro_id: int | None,
    accion: str | None,
    desde: datetime | None,
    hasta: datetime | None,
    limite: int | None,
) -> list[dict[str, Any]]:
    return query_audit(
        conn, usuario_nombre=usuario, registro_id=registro_id, accion=accion, desde=desde,
        hasta=hasta, limit=limite,
    )  # fmt: skip


@router.get("/auditoria", summary="Consultar la bitácora de auditoría")
def auditoria(
    _: AdminUser,
    conn: ConnDep,
    usuario: Annotated[str | None, Query(max_length=100, description="Usuario.")] = None,
    registro_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    accion: Annotated[str | None, Query(max_length=40, description="Acción.")] = None,
    desde: Annotated[datetime | None, Query(description="Desde (ISO 8601).")] = None,
    hasta: Annotated[datetime | None, Query(description="Hasta, sin incluir (ISO 8601).")] = None,
    limite: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    """Who read or changed which record, when and from where; newest first."""
    return _audit(conn, usuario, registro_id, accion, desde, hasta, limite)


@router.get("/auditoria.csv", summary="Exportar la bitácora de auditoría (CSV)")
def auditoria_csv(
    _: AdminUser,
    conn: ConnDep,
    usuario: Annotated[str | None, Query(max_length=100, description="Usuario.")] = None,
    registro_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    accion: Annotated[str | None, Query(max_length=40, description="Acción.")] = None,
    desde: Annotated[datetime | None, Query(description="Desde (ISO 8601).")] = None,
    hasta: Annotated[datetime | None, Query(description="Hasta, sin incluir (ISO 8601).")] = None,
) -> Response:
    """The same lines as ``/auditoria`` (without limit) as a CSV download."""
    out = io.StringIO()
    write_audit_csv(_audit(conn, usuario, registro_id, accion, desde, hasta, None), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="auditoria.csv"'},
    )


@router.get("/panel/datos", summary="Panel de control (datos)")
def panel_datos(_: AdminUser, conn: ConnDep) -> dict[str, Any]:
    """Totals by program, duplicates, coverage, data quality and the latest ingests."""
    return control_panel(conn)


@router.get("/panel", response_class=HTMLResponse, include_in_schema=False)
def panel(request: Request) -> HTMLResponse:
    """Panel page; it holds no data and reads ``/panel/datos`` with the admin's token."""
    return templates.TemplateResponse(
        request, "panel.html", {}, headers={"Cache-Control": "no-store"}
    )
