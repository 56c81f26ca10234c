"""Admin: the audit log (query and CSV export) and the control panel."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import errors
from api.deps import ConnDep, templates
from api.models.admin import LineaDeAuditoria, Panel
from api.security import AUTH_ERRORS, AdminUser
from geo.access.users import query_audit, write_audit_csv
from geo.publish.panel import control_panel

router = APIRouter(tags=["administración"])


def audit_filters(
    usuario: Annotated[str | None, Query(max_length=100, description="Usuario.")] = None,
    registro_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Id del registro.")
    ] = None,
    accion: Annotated[str | None, Query(max_length=40, description="Acción.")] = None,
    desde: Annotated[datetime | None, Query(description="Desde (ISO 8601).")] = None,
    hasta: Annotated[datetime | None, Query(description="Hasta, sin incluir (ISO 8601).")] = None,
) -> dict[str, Any]:
    """The filters of the audit log, shared by the query and its CSV export."""
    return {"usuario_nombre": usuario, "registro_id": registro_id, "accion": accion,
            "desde": desde, "hasta": hasta}  # fmt: skip


AuditFilters = Annotated[dict[str, Any], Depends(audit_filters)]


@router.get(
    "/auditoria",
    response_model=list[LineaDeAuditoria],
    summary="Consultar la bitácora de auditoría",
    description="Quién leyó o cambió qué registro, cuándo y desde dónde; lo más reciente "
    "primero. Solo administración.",
    response_description="Las líneas de la bitácora.",
    responses={**AUTH_ERRORS, **errors.responses(422, 503)},
)
def auditoria(
    _: AdminUser,
    conn: ConnDep,
    filtros: AuditFilters,
    limite: Annotated[int, Query(ge=1, le=10_000, description="Líneas como máximo.")] = 1000,
) -> list[dict[str, Any]]:
    """Who read or changed which record, when and from where; newest first."""
    return query_audit(conn, **filtros, limit=limite)


@router.get(
    "/auditoria.csv",
    response_class=Response,
    summary="Exportar la bitácora de auditoría (CSV)",
    description="Las mismas líneas que `/auditoria` (sin límite) como archivo CSV. Solo "
    "administración.",
    responses={
        200: {
            "description": "La bitácora (CSV).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **AUTH_ERRORS,
        **errors.responses(422, 503),
    },
)
def auditoria_csv(_: AdminUser, conn: ConnDep, filtros: AuditFilters) -> Response:
    """The same lines as ``/auditoria`` (without limit) as a CSV download."""
    out = io.StringIO()
    write_audit_csv(query_audit(conn, **filtros), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="auditoria.csv"'},
    )


@router.get(
    "/panel/datos",
    response_model=Panel,
    summary="Panel de control (datos)",
    description="Totales por programa, apoyos duplicados, personas en cada par de programas, "
    "cobertura por región, programa y municipio de un periodo, calidad de los datos en total y "
    "carga por carga, y las últimas cargas: cifras exactas, solo agregados. Solo "
    "administración.",
    response_description="Los datos del panel.",
    responses={**AUTH_ERRORS, **errors.responses(400, 422, 503)},
)
def panel_datos(
    _: AdminUser,
    conn: ConnDep,
    periodo: Annotated[
        str | None,
        Query(max_length=20, description="Periodo de la cobertura (el más reciente si falta)."),
    ] = None,
) -> dict[str, Any]:
    """Totals, overlap, coverage, data quality (overall and per batch) and the latest ingests."""
    return control_panel(conn, periodo)


@router.get(
    "/panel",
    response_class=HTMLResponse,
    tags=["páginas"],
    summary="Página del panel de control",
    description="Cifras con formato, gráficas de cobertura por región y programa, matriz de "
    "programas que se traslapan, calidad por carga y un mapa de cobertura; cada gráfica se "
    "descarga en CSV. La página no contiene datos: lee `/panel/datos` con el token de la "
    "sesión iniciada en `/campo` (administración).",
    response_description="La página (HTML).",
)
def panel(request: Request) -> HTMLResponse:
    """Panel page; it holds no data and reads ``/panel/datos`` with the admin's token."""
    return templates.TemplateResponse(
        request, "panel.html", {}, headers={"Cache-Control": "no-store"}
    )
