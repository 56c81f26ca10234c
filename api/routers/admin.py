"""Admin: the audit log (query and CSV export) and the control panel."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ConnDep, templates
from api.security import AdminUser
from geo.access.users import query_audit, write_audit_csv
from geo.publish.panel import control_panel

router = APIRouter(tags=["administración"])


def audit_filters(
    usuario: Annotated[str | None, Query(max_length=100, description="Usuario.")] = None,
    registro_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    accion: Annotated[str | None, Query(max_length=40, description="Acción.")] = None,
    desde: Annotated[datetime | None, Query(description="Desde (ISO 8601).")] = None,
    hasta: Annotated[datetime | None, Query(description="Hasta, sin incluir (ISO 8601).")] = None,
) -> dict[str, Any]:
    """The filters of the audit log, shared by the query and its CSV export."""
    return {"usuario_nombre": usuario, "registro_id": registro_id, "accion": accion,
            "desde": desde, "hasta": hasta}  # fmt: skip


AuditFilters = Annotated[dict[str, Any], Depends(audit_filters)]


@router.get("/auditoria", summary="Consultar la bitácora de auditoría")
def auditoria(
    _: AdminUser,
    conn: ConnDep,
    filtros: AuditFilters,
    limite: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    """Who read or changed which record, when and from where; newest first."""
    return query_audit(conn, **filtros, limit=limite)


@router.get("/auditoria.csv", summary="Exportar la bitácora de auditoría (CSV)")
def auditoria_csv(_: AdminUser, conn: ConnDep, filtros: AuditFilters) -> Response:
    """The same lines as ``/auditoria`` (without limit) as a CSV download."""
    out = io.StringIO()
    write_audit_csv(query_audit(conn, **filtros), out)
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
