"""Admin upload of rosters (``POST /cargas``), batch status (``GET /cargas/{id}``) and the
withdrawal of a batch (``POST /cargas/{id}/retiro``)."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi import Path as PathParam

from api import errors
from api.deps import ConnDep, SettingsDep
from api.models.cargas import CargaCreada, CargaRetirada, EstadoCarga, Retiro
from api.security import AUTH_ERRORS, AdminUser
from geo.coverage.rules import load_rules
from geo.ingest import PUB, batch_status
from geo.pipeline import RosterFile, process_rosters, withdraw_batch

router = APIRouter(tags=["cargas"], responses={**AUTH_ERRORS, **errors.responses(422, 503)})

BatchId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id de la carga.")]


@router.post(
    "/cargas",
    status_code=201,
    response_model=CargaCreada,
    summary="Cargar un padrón (CSV o XLSX, formato PUB)",
    description="Carga un padrón y lo lleva por geocodificación, resolución de personas y "
    "recálculo de cobertura antes de responder. El mismo contenido dos veces se informa como "
    "ya cargado, sin repetirse. Un archivo que excede los límites (tamaño, largo de línea, "
    "columnas; en XLSX, tamaño expandido, razón de compresión y dimensiones de la hoja) o sin "
    "las columnas obligatorias se rechaza antes de leerse, y un periodo sin año o lejano al "
    "actual se rechaza salvo `periodo_atipico`. Solo administración.",
    response_description="La carga, sus conteos y lo que se recalculó.",
    responses=errors.responses(400, 413),
)
def crear_carga(
    user: AdminUser,
    request_settings: SettingsDep,
    conn: ConnDep,
    archivo: Annotated[UploadFile, File(description="Padrón en CSV o XLSX con encabezados PUB.")],
    programa: Annotated[str, Form(description="Clave del programa.")],
    periodo: Annotated[
        str | None, Form(max_length=40, description="Periodo del padrón (p. ej. 2024-T1).")
    ] = None,
    periodo_atipico: Annotated[
        bool,
        Form(description="Cargar aunque el periodo no tenga año o su año esté lejos del actual."),
    ] = False,
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
            target,
            programa,
            periodo,
            PUB,
            usuario=user.nombre,
            nombre_archivo=_safe_name(archivo),
            limits=request_settings.read_limits,
            periodo_atipico=periodo_atipico,
        )
        report = process_rosters(
            conn.engine,
            [roster],
            load_rules(request_settings.reglas_dir),
            k=request_settings.k_anonimato,
        )
    (result,), pending = report.ingests, report.pending
    return {
        "carga": result.carga_id,
        "ya_cargado": result.ya_cargado,
        "filas_leidas": result.filas_leidas,
        "filas_cargadas": result.filas_cargadas,
        "filas_rechazadas": result.filas_rechazadas,
        "rechazos_por_motivo": result.rechazos,
        "banderas": result.banderas,
        "ubicacion_por_precision": pending.geocode.precision_por_carga.get(result.carga_id, {}),
        "personas": pending.resolve.personas,
        "cobertura_recalculada": [f"{p} {q or ''}".strip() for p, q in pending.refresh.refrescados],
        "estado": f"/cargas/{result.carga_id}",
    }


@router.get(
    "/cargas/{carga_id}",
    response_model=EstadoCarga,
    summary="Estado de una carga",
    description="Conteos y datos de control de una carga, con los rechazos por motivo; las "
    "filas no se exponen aquí. Una carga retirada dice cuándo, quién y por qué. Solo "
    "administración.",
    response_description="El estado de la carga.",
    responses=errors.responses(404),
)
def ver_carga(_: AdminUser, conn: ConnDep, carga_id: BatchId) -> dict[str, object]:
    """Counts and bookkeeping of one batch; rows themselves are not exposed here."""
    return batch_status(conn, carga_id)


@router.post(
    "/cargas/{carga_id}/retiro",
    response_model=CargaRetirada,
    summary="Retirar una carga",
    description="Retira una carga en una sola transacción: sus registros salen de todas las "
    "tablas (ubicación, personas, revisión, fotos, cobertura y lo que se publica de ella); las "
    "personas sin otro registro desaparecen y la cobertura se recalcula. La carga queda marcada "
    "como retirada, con su archivo original, y el retiro queda en la bitácora. Solo "
    "administración.",
    response_description="Lo que se eliminó y la cobertura recalculada.",
    responses=errors.responses(400, 404),
)
def retirar_carga(
    user: AdminUser,
    request_settings: SettingsDep,
    conn: ConnDep,
    carga_id: BatchId,
    retiro: Retiro | None = None,
) -> dict[str, Any]:
    """Withdraw a batch (:func:`geo.pipeline.withdraw_batch`), its photos' files included."""
    report = withdraw_batch(
        conn.engine,
        carga_id,
        user.nombre,
        retiro.motivo if retiro else None,
        load_rules(request_settings.reglas_dir),
        request_settings.photo_dir,
        k=request_settings.k_anonimato,
    )
    counts = {
        k: v for k, v in asdict(report).items() if k not in ("carga_id", "refresh", "publication")
    }
    return {
        "carga": report.carga_id,
        **counts,
        "cobertura_recalculada": [
            f"{p} {q or ''}".strip()
            for p, q in sorted(report.refresh.refrescados + report.refresh.retirados)
        ],
    }


def _safe_name(upload: UploadFile) -> str:
    return Path(upload.filename or "padron").name[:200]
