"""Field staff, planning and admins: search, visit plan, record, verified point, photos; and the
installable field page (manifest, service worker).

Thin over ``geo.access.beneficiary``; every call commits so that the audit line it wrote is kept,
including the audit line of a search that found nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy import Connection

from api import errors
from api.deps import ConnDep, SettingsDep, templates
from api.models.campo import (
    Busqueda,
    Coincidencia,
    Ficha,
    FotoSubida,
    LocalidadDelArea,
    Manifiesto,
    MunicipioDelArea,
    PlanDeVisita,
    Punto,
    PuntoVerificado,
)
from api.security import AUTH_ERRORS, PersonalDataUser, client_address
from geo.access import beneficiary
from geo.kernel.errors import InvalidParameter, NotFound

router = APIRouter(tags=["campo"])

RecordId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id del registro.")]
NO_STORE = {"Cache-Control": "no-store"}
JAVASCRIPT = "text/javascript"
STATIC = Path(__file__).resolve().parent.parent / "static"

OFFLINE_FILES = (
    "/campo",
    "/campo/manifiesto.webmanifest",
    "/static/campo.css",
    "/static/campo.js",
    "/static/campo-icono-192.png",
    "/static/campo-icono-512.png",
    "/static/vendor/maplibre-gl-4.7.1/maplibre-gl.css",
    "/static/vendor/maplibre-gl-4.7.1/maplibre-gl.js",
    "/static/vendor/idb-keyval-6.3.0/umd.js",
)
"""What the phone keeps to open the field page without a connection."""

MANIFEST: dict[str, Any] = {
    "name": "Padrón Único · Campo",
    "short_name": "Campo",
    "description": "Visitas de campo del Padrón Único de Beneficiarios de Oaxaca.",
    "lang": "es-MX",
    "id": "/campo",
    "start_url": "/campo",
    "scope": "/campo",
    "display": "standalone",
    "orientation": "portrait",
    "background_color": "#ffffff",
    "theme_color": "#2b2d42",
    "icons": [
        {"src": f"/static/campo-icono-{n}.png", "sizes": f"{n}x{n}", "type": "image/png",
         "purpose": "any"}
        for n in (192, 512)
    ],
}  # fmt: skip


class ManifestResponse(JSONResponse):
    """JSON served as a web app manifest."""

    media_type = "application/manifest+json"


@cache
def offline_worker() -> str:
    """The service worker's script, its cache named after the contents of the files it keeps
    (a new release of any of them is a new worker, which replaces the old cache)."""
    digest = sha256()
    for path in (*sorted((STATIC).glob("campo*")), STATIC.parent / "templates" / "campo.html"):
        digest.update(path.read_bytes())
    source = (STATIC.parent / "templates" / "campo-sw.js").read_text(encoding="utf-8")
    return source.replace("__VERSION__", digest.hexdigest()[:12]).replace(
        "__ARCHIVOS__", json.dumps(OFFLINE_FILES)
    )


ERRORS = {**AUTH_ERRORS, **errors.responses(404, 422, 503)}
"""Every route on a record answers 404 alike for a record that does not exist and for one
outside the user's area."""


@router.get(
    "/campo",
    response_class=HTMLResponse,
    tags=["páginas"],
    summary="Página de campo",
    description="Búsqueda por folio, CURP o nombre, plan de visita sin conexión, ficha, croquis, "
    "punto verificado con su precisión y fotos. La página no contiene datos: inicia sesión y "
    "lee la API con el token del usuario; se instala en el teléfono (manifiesto y service "
    "worker) y guarda el plan de visita y los envíos pendientes en el propio teléfono.",
    response_description="La página (HTML).",
)
def pagina_campo(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The field page; it holds no data: it logs in and reads the API with the user's token."""
    config = {
        "basemap": settings.basemap_url or "",
        "umbralPrecisionM": settings.campo_precision_max_m,
        "fotoLadoPx": settings.foto_lado_px,
        "fotoMaxKb": settings.foto_max_kb,
        "planHoras": settings.plan_horas,
    }
    return templates.TemplateResponse(request, "campo.html", {"config": config}, headers=NO_STORE)


@router.get(
    "/campo/sw.js",
    response_class=Response,
    tags=["páginas"],
    summary="Service worker de la página de campo",
    description="Guarda en el teléfono la página, sus estilos y bibliotecas y las teselas del "
    "mapa ya vistas, para abrirla sin conexión. Nunca guarda respuestas con datos personales "
    "(el plan de visita lo guarda la página, y se borra al salir).",
    responses={200: {"description": "El script.", "content": {JAVASCRIPT: {}}}},
)
def service_worker() -> Response:
    """The field page's service worker; its cache name changes with the files it keeps."""
    return Response(
        offline_worker(),
        media_type=JAVASCRIPT,
        headers={"Service-Worker-Allowed": "/campo", "Cache-Control": "no-cache"},
    )


@router.get(
    "/campo/manifiesto.webmanifest",
    response_model=Manifiesto,
    response_class=ManifestResponse,
    tags=["páginas"],
    summary="Manifiesto de la aplicación de campo",
    description="Manifiesto de aplicación web: permite instalar la página de campo en el "
    "teléfono y abrirla como una aplicación.",
    response_description="El manifiesto.",
)
def manifiesto() -> dict[str, Any]:
    """The web app manifest of the field page."""
    return MANIFEST


@router.post(
    "/campo/buscar",
    response_model=list[Coincidencia],
    summary="Buscar por folio, CURP o nombre dentro del área del usuario",
    description="Los registros con ese folio, esa CURP o ese nombre (solo uno de los tres; "
    "opcionalmente en una localidad) dentro del área del usuario; 404 si no hay ninguno. Lo "
    "buscado va en el cuerpo, nunca en la dirección, para que no quede en las bitácoras del "
    "servidor. La búsqueda queda en la bitácora de auditoría (el criterio, no lo buscado), "
    "también sin resultado.",
    response_description="Los registros encontrados (hasta 50).",
    responses=ERRORS,
)
def buscar(
    request: Request, user: PersonalDataUser, conn: ConnDep, busqueda: Busqueda
) -> list[dict[str, Any]]:
    """Matching records; 404 when none is inside the user's area."""
    try:
        found = beneficiary.search(
            conn, user, **busqueda.model_dump(), cliente=client_address(request)
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
    "/campo/municipios",
    response_model=list[MunicipioDelArea],
    summary="Municipios del área del usuario",
    description="Para elegir el plan de visita: los municipios del área del usuario (todos "
    "para quien no tiene área).",
    response_description="Los municipios, por nombre.",
    responses={**AUTH_ERRORS, **errors.responses(503)},
)
def municipios_del_area(user: PersonalDataUser, conn: ConnDep) -> list[dict[str, Any]]:
    """The municipalities of the user's area."""
    return beneficiary.area_municipalities(conn, user)


@router.get(
    "/campo/localidades",
    response_model=list[LocalidadDelArea],
    summary="Localidades de un municipio del área, con sus registros",
    description="Para elegir el plan de visita: las localidades del municipio con registros "
    "ubicados en ellas y cuántos (sin datos personales).",
    response_description="Las localidades, por nombre.",
    responses={**AUTH_ERRORS, **errors.responses(400, 422, 503)},
)
def localidades_del_area(
    user: PersonalDataUser,
    conn: ConnDep,
    municipio: Annotated[
        str, Query(min_length=5, max_length=5, description="Clave INEGI del municipio.")
    ],
) -> list[dict[str, Any]]:
    """Localities of one municipality of the user's area with their records."""
    return beneficiary.area_localities(conn, user, municipio)


@router.get(
    "/campo/plan",
    response_model=PlanDeVisita,
    summary="Plan de visita: los domicilios de las localidades elegidas",
    description="Los registros ubicados en las localidades elegidas (hasta 20), dentro del "
    "área del usuario, con lo que necesita la visita, para guardarlos en el teléfono y "
    "trabajar sin conexión durante una jornada. Cada registro entregado queda en la bitácora "
    "de auditoría.",
    response_description="El plan de visita.",
    responses={**AUTH_ERRORS, **errors.responses(400, 422, 503)},
)
def plan_de_visita(
    request: Request,
    user: PersonalDataUser,
    conn: ConnDep,
    settings: SettingsDep,
    localidad: Annotated[
        list[str], Query(max_length=20, description="Claves INEGI de las localidades (9 dígitos).")
    ],
) -> dict[str, Any]:
    """The households of the chosen localities; every record handed out is audited."""
    records = beneficiary.visit_plan(
        conn, user, localidad, settings.plan_max_registros, client_address(request)
    )
    conn.commit()
    now = datetime.now(UTC)
    return {
        "localidades": sorted(set(localidad)),
        "generado_en": now,
        "vigente_hasta": now + timedelta(hours=settings.plan_horas),
        "registros": records,
    }


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
    summary="Registrar la posición medida en campo",
    description="La posición que tomó el teléfono, con su radio de precisión. Dentro del "
    "umbral configurado (30 m por omisión) es un punto `verificado_campo` y pasa a ser la "
    "ubicación del registro; con peor precisión se guarda como `campo_impreciso` y solo "
    "reemplaza el punto de una localidad o de un municipio. Debe caer en Oaxaca y en un "
    "municipio del área del usuario. Responde cuánto se movió respecto de la ubicación "
    "anterior. Queda en la bitácora de auditoría.",
    response_description="La posición guardada.",
    responses=ERRORS,
)
def registrar_punto(
    request: Request,
    user: PersonalDataUser,
    conn: ConnDep,
    settings: SettingsDep,
    registro_id: RecordId,
    punto: Punto,
) -> dict[str, Any]:
    """Keep the phone's fix; within the threshold it becomes the record's verified location."""
    fix = beneficiary.FieldFix(punto.lon, punto.lat, punto.precision_m, punto.medido_en)
    with audited_refusal(conn):
        result = beneficiary.record_verified_point(
            conn, user, registro_id, fix, settings.campo_precision_max_m, client_address(request)
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
