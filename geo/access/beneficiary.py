"""What field staff, planning and admins see of one beneficiary, always within the user's area.

Every function takes the authenticated :class:`geo.access.User`; a record outside the user's
area behaves exactly like a record that does not exist (same ``NotFound`` message), so the
answer never reveals whether someone is registered elsewhere. Every read or change of a
person's record is appended to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy import Connection, delete, insert, select

from geo.access.tables import auditoria, foto, punto_verificado
from geo.access.users import User, record_event
from geo.ingest.tables import registro
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter, NotFound
from geo.kernel.names import normalize_given

NOT_FOUND = "No se encontró el registro en su área."
_FOLIO = re.compile(r"^[\w\-/. ]{1,60}$")
_CURP = re.compile(r"^[A-Z0-9]{18}$")
_LOCALITY = re.compile(r"^\d{9}$")
_MUNICIPALITY = re.compile(r"^\d{5}$")

VERIFIED, IMPRECISE = "verificado_campo", "campo_impreciso"
"""Precision of a field point within the accuracy threshold, and of a poorer fix
(``geo.geocode.PRECISIONS``)."""
MAX_FIX_AGE = timedelta(days=3)
"""A fix queued offline is accepted up to this old (a working day and a weekend)."""
MAX_PLAN_LOCALITIES = 20

PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
"""Accepted photo formats, as Pillow recognises them by content (never by name or declared
type), with the type and extension they are stored and served as."""
MAX_PHOTO_PIXELS = 40_000_000
"""Photos larger than this (a 40-megapixel phone camera) are refused before decoding."""


@dataclass(frozen=True)
class Photo:
    """A stored photo's bookkeeping."""

    id: int
    tipo: str
    bytes: int
    path: Path


def _area(user: User) -> list[str] | None:
    return None if user.municipios is None else sorted(user.municipios)


def search(
    conn: Connection,
    user: User,
    *,
    folio: str | None = None,
    curp: str | None = None,
    nombre: str | None = None,
    localidad: str | None = None,
    cliente: str | None = None,
) -> list[dict[str, Any]]:
    """Records with this folio, CURP or name inside the user's area, optionally in one locality
    (the search is audited, by criterion only: what was searched never reaches the log).

    A name matches when every word of it (normalised as the rosters' names are: no accents,
    ``MA.`` → ``MARIA``) is a whole word of the record's given names or surnames.
    """
    if sum(value is not None for value in (folio, curp, nombre)) != 1:
        raise InvalidParameter("Indique un folio, una CURP o un nombre (solo uno).")
    if folio is not None and not _FOLIO.match(folio):
        raise InvalidParameter("Folio no válido: hasta 60 letras, dígitos, espacios o - / . _")
    if curp is not None:
        curp = curp.strip().upper()
        if not _CURP.match(curp):
            raise InvalidParameter("CURP no válida: deben ser 18 letras o dígitos.")
    words = None
    if nombre is not None:
        words = normalize_given(nombre).split()
        if len(words) < 2 or len(nombre) > 120:
            raise InvalidParameter(
                "Nombre no válido: escriba al menos dos palabras (un nombre y un apellido)."
            )
    if localidad is not None and not _LOCALITY.match(localidad):
        raise InvalidParameter("Localidad no válida: la clave INEGI tiene 9 dígitos.")
    rows = conn.execute(
        query("geo.access", "search_records.sql"),
        {
            "folio": folio,
            "curp": curp,
            "palabras": None if words is None else [f"% {w} %" for w in words],
            "localidad": localidad,
            "municipios": _area(user),
        },
    ).mappings()
    found = [dict(row) for row in rows]
    criterion = "folio" if folio is not None else "curp" if curp is not None else "nombre"
    if localidad is not None:
        criterion += f", localidad {localidad}"
    for row in found:
        record_event(
            conn, user, "buscar", registro_id=row["registro_id"], detalle=criterion, cliente=cliente
        )
    if not found:
        record_event(conn, user, "buscar_sin_resultado", detalle=criterion, cliente=cliente)
        raise NotFound(NOT_FOUND)
    return found


def area_municipalities(conn: Connection, user: User) -> list[dict[str, Any]]:
    """The municipalities of the user's area (all of them for a user without an area)."""
    rows = conn.execute(
        query("geo.access", "area_municipalities.sql"), {"municipios": _area(user)}
    ).mappings()
    return [dict(row) for row in rows]


def area_localities(conn: Connection, user: User, municipio: str) -> list[dict[str, Any]]:
    """Localities of one municipality of the user's area with the records placed in each (no
    personal data: counts for choosing a visit plan)."""
    if not _MUNICIPALITY.match(municipio):
        raise InvalidParameter("Municipio no válido: la clave INEGI tiene 5 dígitos.")
    if not user.covers(municipio):
        raise InvalidParameter("El municipio no está en su área.")
    rows = conn.execute(query("geo.access", "area_localities.sql"), {"municipio": municipio})
    return [dict(row) for row in rows.mappings()]


def visit_plan(
    conn: Connection,
    user: User,
    localidades: list[str],
    max_records: int,
    cliente: str | None = None,
) -> list[dict[str, Any]]:
    """The households placed in these localities, inside the user's area, with what a visit
    needs (names, CURP, folio, address, references, point). Every record handed out is
    audited, as a search that found it would be."""
    chosen = sorted(set(localidades))
    if not chosen or len(chosen) > MAX_PLAN_LOCALITIES:
        raise InvalidParameter(f"Elija de 1 a {MAX_PLAN_LOCALITIES} localidades.")
    if bad := [loc for loc in chosen if not _LOCALITY.match(loc)]:
        raise InvalidParameter(f"Localidad no válida: {bad[0][:20]!r} (clave INEGI de 9 dígitos).")
    rows = conn.execute(
        query("geo.access", "visit_plan.sql"),
        {"localidades": chosen, "municipios": _area(user), "limite": max_records + 1},
    ).mappings()
    plan = [dict(row) for row in rows]
    if len(plan) > max_records:
        raise InvalidParameter(f"El plan pasa de {max_records} registros: elija menos localidades.")
    if plan:
        lines = [
            {"usuario": user.nombre, "accion": "plan_de_visita", "registro_id": row["registro_id"],
             "carga_id": row["carga_id"], "detalle": f"localidad {row['cvegeo_loc']}",
             "cliente": cliente}
            for row in plan
        ]  # fmt: skip
        conn.execute(insert(auditoria), lines)
    else:
        record_event(
            conn, user, "plan_de_visita_vacio", detalle=", ".join(chosen)[:200], cliente=cliente
        )
    return plan


def beneficiary(
    conn: Connection, user: User, registro_id: int, cliente: str | None = None
) -> dict[str, Any]:
    """One record with its location, program memberships, payments by period and photos."""
    record = _record(conn, user, registro_id, cliente)
    memberships = [
        dict(row)
        for row in conn.execute(
            query("geo.access", "memberships.sql"),
            {
                "registro_id": registro_id,
                "persona_id": record["persona_id"],
                "curp": record["curp"] if record["curp_valida"] else None,
                "municipios": _area(user),
            },
        ).mappings()
    ]
    programs = sorted({m["programa"] for m in memberships})
    payments: dict[str, dict[str, Any]] = {}
    for m in memberships:
        period = m["periodo"] or "sin periodo"
        entry = payments.setdefault(period, {"periodo": period, "importe": 0, "por_programa": {}})
        amount = m["importe"] or 0
        entry["importe"] += amount
        entry["por_programa"][m["programa"]] = entry["por_programa"].get(m["programa"], 0) + amount
    photos = conn.execute(
        select(foto.c.id, foto.c.tipo, foto.c.bytes, foto.c.subida_por, foto.c.subida_en)
        .where(foto.c.registro_id == registro_id)
        .order_by(foto.c.id)
    ).mappings()
    record_event(
        conn, user, "consultar", registro_id=registro_id, carga_id=record["carga_id"],
        cliente=cliente,
    )  # fmt: skip
    return {
        **record,
        "programas": programs,
        "inscripciones": memberships,
        "pagos_por_periodo": list(payments.values()),
        "fotos": [dict(p) for p in photos],
    }


@dataclass(frozen=True)
class FieldFix:
    """A position taken by a phone: where, how good (the accuracy radius it reports) and when."""

    lon: float
    lat: float
    precision_m: float
    medido_en: datetime | None = None


def record_verified_point(
    conn: Connection,
    user: User,
    registro_id: int,
    fix: FieldFix,
    threshold_m: float,
    cliente: str | None = None,
) -> dict[str, Any]:
    """Keep a position measured in the field for a record and make it the record's location.

    A fix whose accuracy radius is within ``threshold_m`` is ``verificado_campo`` and outranks
    any geocoding; a poorer one is ``campo_impreciso``: kept and audited, but it replaces only
    a locality's or municipality's point (never the household's own point or a verified one).
    """
    record = _record(conn, user, registro_id, cliente)
    lon, lat, accuracy = fix.lon, fix.lat, fix.precision_m
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise InvalidParameter("Coordenadas no válidas: longitud y latitud en grados decimales.")
    if not math.isfinite(accuracy) or accuracy <= 0:
        raise InvalidParameter("precision_m no válida: el radio de precisión en metros, > 0.")
    now = datetime.now(UTC)
    if fix.medido_en is not None and not (
        now - MAX_FIX_AGE <= fix.medido_en <= now + timedelta(minutes=5)
    ):
        raise InvalidParameter("medido_en no válida: la posición debe ser de los últimos 3 días.")
    mun = conn.scalar(query("geo.access", "point_municipality.sql"), {"lon": lon, "lat": lat})
    if mun is None:
        raise InvalidParameter("El punto está fuera de Oaxaca.")
    if not user.covers(mun):
        raise InvalidParameter("El punto está fuera de los municipios de su área.")
    precision = VERIFIED if accuracy <= threshold_m else IMPRECISE
    distance = conn.scalar(
        query("geo.access", "distance_from_location.sql"),
        {"registro_id": registro_id, "lon": lon, "lat": lat},
    )
    params = {"registro_id": registro_id, "lon": lon, "lat": lat, "usuario": user.nombre,
              "precision": precision, "precision_m": accuracy,
              "medido_en": fix.medido_en}  # fmt: skip
    kept = conn.execute(query("geo.access", "keep_verified_point.sql"), params).first()
    placed = None
    if kept is not None:
        placed = conn.execute(
            query("geo.geocode", "verified_points.sql"),
            {"carga": None, "desde": None, "hasta": None, "registro_id": registro_id},
        ).first()
    record_event(
        conn, user, "verificar_punto", registro_id=registro_id, carga_id=record["carga_id"],
        detalle=f"{precision} ±{accuracy:.0f} m; antes: {record['precision'] or 'sin ubicación'}"
        + ("" if placed else "; no reemplaza la ubicación"),
        cliente=cliente,
    )  # fmt: skip
    return {
        "registro_id": registro_id, "precision": precision, "precision_m": accuracy,
        "umbral_m": threshold_m, "es_ubicacion": placed is not None,
        "distancia_m": None if distance is None else round(distance, 1),
        "cvegeo_mun": mun, "cvegeo_loc": placed.cvegeo_loc if placed else record["cvegeo_loc"],
        "lon": lon, "lat": lat, "medido_en": fix.medido_en,
    }  # fmt: skip


def reencode_photo(content: bytes, max_pixels: int = MAX_PHOTO_PIXELS) -> tuple[bytes, str, str]:
    """The photo decoded whole and encoded again by Pillow: its bytes, MIME type and extension.

    What is stored and served is only the picture: a file that merely starts like an image
    fails to decode, and nothing of the original survives the encoding (EXIF, including the
    GPS position of wherever the photo was taken, comments, trailing bytes). The EXIF
    orientation is applied first so the picture stays upright.
    """
    refused = InvalidParameter(
        "La foto debe ser una imagen JPEG o PNG válida (el contenido no lo es)."
    )
    try:
        with Image.open(io.BytesIO(content), formats=list(PHOTO_TYPES)) as image:
            if image.width * image.height > max_pixels:
                raise InvalidParameter(
                    f"La foto mide {image.width}×{image.height} píxeles; el máximo es "
                    f"{max_pixels / 1e6:g} megapíxeles."
                )
            # A phone's JPEG with a second picture inside (MPO) is a JPEG; only its first is kept.
            kind = "JPEG" if image.format == "MPO" else str(image.format)
            if kind not in PHOTO_TYPES:
                raise refused
            image.load()
            picture = ImageOps.exif_transpose(image)
    except InvalidParameter:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    out = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    else:
        if picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            picture = picture.convert("RGBA")
        picture.save(out, "PNG", optimize=True)
    tipo, extension = PHOTO_TYPES[kind]
    return out.getvalue(), tipo, extension


def add_photo(
    conn: Connection,
    user: User,
    registro_id: int,
    content: bytes,
    folder: Path,
    max_bytes: int,
    cliente: str | None = None,
    max_pixels: int = MAX_PHOTO_PIXELS,
) -> Photo:
    """Store a dwelling photo, re-encoded (:func:`reencode_photo`) after checking its size;
    nothing is left on refusal."""
    record = _record(conn, user, registro_id, cliente)
    if not content:
        raise InvalidParameter("La foto está vacía.")
    if len(content) > max_bytes:
        raise InvalidParameter(f"La foto excede el máximo de {max_bytes / 1048576:g} MB.")
    content, tipo, extension = reencode_photo(content, max_pixels)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.{extension}"
    path = folder / name
    path.write_bytes(content)
    try:
        photo_id: int = conn.execute(
            insert(foto)
            .values(
                registro_id=registro_id, carga_id=record["carga_id"], archivo=name, tipo=tipo,
                bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                subida_por=user.nombre,
            )
            .returning(foto.c.id)
        ).scalar_one()  # fmt: skip
        record_event(
            conn, user, "subir_foto", registro_id=registro_id, carga_id=record["carga_id"],
            detalle=f"foto {photo_id}", cliente=cliente,
        )  # fmt: skip
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return Photo(photo_id, tipo, len(content), path)


def get_photo(
    conn: Connection,
    user: User,
    registro_id: int,
    photo_id: int,
    folder: Path,
    cliente: str | None = None,
) -> Photo:
    """A photo of a record in the user's area (the view is audited)."""
    _record(conn, user, registro_id, cliente)
    row = conn.execute(
        select(foto.c.id, foto.c.tipo, foto.c.bytes, foto.c.archivo).where(
            foto.c.id == photo_id, foto.c.registro_id == registro_id
        )
    ).first()
    if row is None:
        raise NotFound("No existe esa foto para este registro.")
    record_event(
        conn, user, "ver_foto", registro_id=registro_id, detalle=f"foto {photo_id}",
        cliente=cliente,
    )  # fmt: skip
    return Photo(int(row.id), row.tipo, int(row.bytes), folder / row.archivo)


REFUSED = "consulta_rechazada"
"""Audit action of a record asked for outside the user's area (or that does not exist)."""


def _record(conn: Connection, user: User, registro_id: int, cliente: str | None) -> dict[str, Any]:
    """The record, if it is in the user's area. A refusal is audited too (in the caller's
    transaction, which must commit it although the call raises): probing for records outside
    one's area leaves a trace."""
    row = (
        conn.execute(
            query("geo.access", "record.sql"),
            {"registro_id": registro_id, "municipios": _area(user)},
        )
        .mappings()
        .first()
    )
    if row is None:
        record_event(conn, user, REFUSED, registro_id=registro_id, cliente=cliente)
        raise NotFound(NOT_FOUND)
    return dict(row)


def forget_batch(conn: Connection, carga_id: int) -> tuple[list[str], int]:
    """Photos and verified points of a withdrawn batch's records, deleted in the caller's
    transaction; returns the photo files to remove once it commits, and the points removed."""
    files = list(
        conn.execute(delete(foto).where(foto.c.carga_id == carga_id).returning(foto.c.archivo))
        .scalars()
        .all()
    )
    records = select(registro.c.id).where(registro.c.carga_id == carga_id)
    points = conn.execute(
        delete(punto_verificado).where(punto_verificado.c.registro_id.in_(records))
    ).rowcount
    return files, points
