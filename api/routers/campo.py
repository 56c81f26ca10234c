"""Field staff, planning and admins: search, beneficiary record, verified point, photos.

Thin over ``geo.access.beneficiary``; every call commits so that the audit line it wrote is kept,
including the audit line of a search that found nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import Connection

from api import errors
from api.deps import ConnDep, SettingsDep, templates
from api.models.campo import Coincidencia, Ficha, FotoSubida, Punto, PuntoVerificado
from api.security import AUTH_ERRORS, PersonalDataUser, client_address
from geo.access import beneficiary
from geo.kernel.errors import InvalidParameter, NotFound

router = APIRouter(tags=["campo"])

RecordId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id del registro.")]
NO_STORE = {"Cache-Control": "no-store"}
ERRORS = {**AUTH_ERRORS, **errors.responses(404, 422, 503)}
"""Every route on a record answers 404 alike for a record that does not exist and for one
outside the user's area."""


@router.get(
    "/campo",
    response_class=HTMLResponse,
    tags=["páginas"],
    summary="Página de campo",
    description="Búsqueda por folio o CURP, ficha, punto verificado y fotos. La página no "
    "contiene datos: inicia sesión y lee la API con el token del usuario.",
    response_description="La página (HTML).",
)
def pagina_campo(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The field page; it holds no data: it logs in and reads the API with the user's token."""
    return templates.TemplateResponse(
        request, "campo.html", {"basemap_url": settings.basemap_url or ""}, headers=NO_STORE
    )


@router.get(
    "/campo/buscar",
    response_model=list[Coincidencia],
    summary="Buscar por folio o CURP dentro del área del usuario",
    description="Los registros con ese folio o esa CURP (solo uno de los dos) dentro del área "
    "del usuario; 404 si no hay ninguno. La búsqueda queda en la bitácora, también sin "
    "resultado.",
    response_description="Los registros encontrados (hasta 50).",
    responses=ERRORS,
)
def buscar(
    request: Request,
    user: PersonalDataUser,
    conn: ConnDep,
    folio: Annotated[str | None, Query(max_length=60, description="Folio del programa.")] = None,
    curp: Annotated[str | None, Query(max_length=18, description="CURP (18 caracteres).")] = None,
) -> list[dict[str, Any]]:
    """Matching records; 404 when none is inside the user's area."""
    try:
        found = beneficiary.search(
            conn, user, folio=folio, curp=curp, cliente=client_address(request)
        )
    except NotFound:
        conn.commit()
        raise
    conn.commit()
    return found


@contextmanager
def audited_refusal(conn: Connection) -> Iterator[None]:
    """Commit the audit line of a record refused as outside the user's area, then answer 404."""
    try:
        yield
    except NotFound:
        conn.commit()
        raise


@router.get(
    "/campo/registros/{registro_id}",
    response_model=Ficha,
    summary="Ficha de un beneficiario",
    description="Datos personales, ubicación, inscripciones, pagos por periodo y fotos de un "
    "registro del área del usuario. La consulta queda en la bitácora.",
    response_description="La ficha.",
    responses=ERRORS,
)
def ficha(
    request: Request, user: PersonalDataUser, conn: ConnDep, registro_id: RecordId
) -> dict[str, Any]:
    """Personal data, location, memberships, payments by period and photos."""
    with audited_refusal(conn):
        record = beneficiary.beneficiary(conn, user, registro_id, client_address(request))
    conn.commit()
    return record


@router.post(
    "/campo/registros/{registro_id}/punto",
    response_model=PuntoVerificado,
    summary="Registrar el punto verificado",
    description="El punto medido en campo pasa a ser la ubicación del registro, con precisión "
    "`verificado_campo`; debe caer en Oaxaca y en un municipio del área del usuario.",
    response_description="La nueva ubicación del registro.",
    responses=ERRORS,
)
def registrar_punto(
    request: Request, user: PersonalDataUser, conn: ConnDep, registro_id: RecordId, punto: Punto
) -> dict[str, Any]:
    """The measured point becomes the record's location with precision ``verificado_campo``."""
    with audited_refusal(conn):
        result = beneficiary.record_verified_point(
            conn, user, registro_id, punto.lon, punto.lat, client_address(request)
        )
    conn.commit()
    return result


@router.post(
    "/campo/registros/{registro_id}/fotos",
    status_code=201,
    response_model=FotoSubida,
    summary="Subir foto de la vivienda",
    description="Guarda una foto JPEG o PNG (reconocida por su contenido, no por el nombre) de "
    "tamaño limitado, decodificada y codificada de nuevo: se guarda y se sirve solo la imagen, "
    "sin sus metadatos (EXIF, ubicación GPS). Nunca se sirve en público.",
    response_description="La foto guardada.",
    responses=ERRORS,
)
def subir_foto(
    request: Request,
    user: PersonalDataUser,
    conn: ConnDep,
    settings: SettingsDep,
    registro_id: RecordId,
    foto: Annotated[UploadFile, File(description="Foto JPEG o PNG.")],
) -> FotoSubida:
    """Store a photo (JPEG/PNG by content, size limited), re-encoded by Pillow without its
    metadata; it is never served publicly."""
    limit = int(settings.max_photo_mb * 1024 * 1024)
    content = foto.file.read(limit + 1)
    if len(content) > limit:
        raise InvalidParameter(f"La foto excede el máximo de {settings.max_photo_mb:g} MB.")
    with audited_refusal(conn):
        photo = beneficiary.add_photo(
            conn, user, registro_id, content, settings.photo_dir, limit, client_address(request),
            settings.max_photo_pixels,
        )  # fmt: skip
    try:
        conn.commit()
    except Exception:
        photo.path.unlink(missing_ok=True)
        raise
    return FotoSubida(foto=photo.id, tipo=photo.tipo, bytes=photo.bytes)


@router.get(
    "/campo/registros/{registro_id}/fotos/{foto_id}",
    response_class=FileResponse,
    summary="Ver una foto de la vivienda",
    description="La imagen, para usuarios autorizados del área; nunca se guarda en caché. La "
    "consulta queda en la bitácora.",
    responses={
        200: {
            "description": "La foto.",
            "content": {"image/jpeg": {}, "image/png": {}},
        },
        **ERRORS,
    },
)
def ver_foto(
    request: Request,
    user: PersonalDataUser,
    conn: ConnDep,
    settings: SettingsDep,
    registro_id: RecordId,
    foto_id: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id de la foto.")],
) -> FileResponse:
    """The photo bytes, to authorised users in the area; never cached."""
    with audited_refusal(conn):
        photo = beneficiary.get_photo(
            conn, user, registro_id, foto_id, settings.photo_dir, client_address(request)
        )
    conn.commit()
    if not photo.path.is_file():
        raise NotFound("El archivo de la foto no está disponible.")
    return FileResponse(photo.path, media_type=photo.tipo, headers=NO_STORE)
