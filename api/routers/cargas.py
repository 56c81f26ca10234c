"""Admin upload of rosters (``POST /cargas``) and batch status (``GET /cargas/{id}``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi import Path as PathParam

from api import errors
from api.deps import ConnDep, SettingsDep
from api.models.cargas import CargaCreada, EstadoCarga
from api.security import AUTH_ERRORS, AdminUser
from geo.coverage.rules import load_rules, target_groups
from geo.ingest import PUB, batch_status
from geo.pipeline import RosterFile, process_rosters

router = APIRouter(tags=["cargas"], responses={**AUTH_ERRORS, **errors.responses(422, 503)})


@router.post(
    "/cargas",
    status_code=201,
    response_model=CargaCreada,
    summary="Cargar un padrón (CSV o XLSX, formato PUB)",
    description="Carga un padrón y lo lleva por geocodificación, resolución de personas y "
    "recálculo de cobertura antes de responder. El mismo contenido dos veces se informa como "
    "ya cargado, sin repetirse. Solo administración.",
    response_description="La carga, sus conteos y lo que se recalculó.",
    responses=errors.responses(413),
)
def crear_carga(
    user: AdminUser,
    request_settings: SettingsDep,
    conn: ConnDep,
    archivo: Annotated[UploadFile, File(description="Padrón en CSV o XLSX con encabezados PUB.")],
    programa: Annotated[str, Form(description="Clave del programa.")],
    periodo: Annotated[str | None, Form(description="Periodo del padrón.")] = None,
) -> dict[str, Any]:
    """Ingest an uploaded roster and carry it through geocoding, resolution and the coverage
    refresh before answering; the same content twice is reported as already loaded."""
    limit = request_settings.max_upload_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="padron-upload-") as folder:
        target = Path(folder) / "padron"
        with target.open("wb") as handle:
            copied = 0
            while chunk := archivo.file.read(1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise HTTPException(
                        413, f"El archivo excede el máximo de {request_settings.max_upload_mb} MB."
                    )
                handle.write(chunk)
        if copied == 0:
            raise HTTPException(400, "El archivo está vacío.")
        roster = RosterFile(
            target, programa, periodo, PUB, usuario=user.nombre, nombre_archivo=_safe_name(archivo)
        )
        groups = target_groups(load_rules(request_settings.reglas_dir))
        report = process_rosters(conn.engine, [roster], groups)
    (result,), pending = report.ingests, report.pending
    return {
        "carga": result.carga_id,
        "ya_cargado": result.ya_cargado,
        "filas_leidas": result.filas_leidas,
        "filas_cargadas": result.filas_cargadas,
        "filas_rechazadas": result.filas_rechazadas,
        "rechazos_por_motivo": result.rechazos,
        "banderas": result.banderas,
        "ubicacion_por_precision": pending.geocode.por_precision,
        "personas": pending.resolve.personas,
        "cobertura_recalculada": [f"{p} {q or ''}".strip() for p, q in pending.refresh.refrescados],
        "estado": f"/cargas/{result.carga_id}",
    }


@router.get(
    "/cargas/{carga_id}",
    response_model=EstadoCarga,
    summary="Estado de una carga",
    description="Conteos y datos de control de una carga, con los rechazos por motivo; las "
    "filas no se exponen aquí. Solo administración.",
    response_description="El estado de la carga.",
    responses=errors.responses(404),
)
def ver_carga(
    _: AdminUser,
    conn: ConnDep,
    carga_id: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id de la carga.")],
) -> dict[str, object]:
    """Counts and bookkeeping of one batch; rows themselves are not exposed here."""
    return batch_status(conn, carga_id)


def _safe_name(upload: UploadFile) -> str:
    return Path(upload.filename or "padron").name[:200]
