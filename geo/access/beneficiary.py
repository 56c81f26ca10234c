"""What field staff, planning and admins see of one beneficiary, always within the user's area.

Every function takes the authenticated :class:`geo.access.User`; a record outside the user's
area behaves exactly like a record that does not exist (same ``NotFound`` message), so the
answer never reveals whether someone is registered elsewhere. Every read or change of a
person's record is appended to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, text

from geo.access.tables import foto
from geo.access.users import User, record_event
from geo.kernel.errors import InvalidParameter, NotFound

NOT_FOUND = "No se encontró el registro en su área."
_FOLIO = re.compile(r"^[\w\-/. ]{1,60}$")
_CURP = re.compile(r"^[A-Z0-9]{18}$")

# The municipality of a record: where geocoding placed it, else the one it declared.
_AREA_SQL = """
    (CAST(:municipios AS text[]) IS NULL
     OR coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) = ANY(CAST(:municipios AS text[])))
"""

_SEARCH = text(
    f"""
    SELECT r.id AS registro_id, r.programa, r.periodo, r.folio, r.curp,
           r.nombre, r.primer_ap, r.segundo_ap, r.nom_mun, r.nom_loc
    FROM padron.registro r
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    WHERE (r.folio = :folio OR r.curp = :curp) AND {_AREA_SQL}
    ORDER BY r.programa, r.periodo, r.id
    LIMIT 50
    """  # noqa: S608 (constant fragment; values are bound)
)

_RECORD = text(
    f"""
    SELECT r.id AS registro_id, r.carga_id, r.programa, r.periodo, r.folio, r.curp,
           r.curp_valida, r.primer_ap, r.segundo_ap, r.nombre, r.fecha_nacimiento, r.sexo,
           r.fecha_alta, r.importe, r.tipovial, r.nomvial, r.numext, r.numint, r.tipoasen,
           r.nomasen, r.cp, r.descrubic, r.cve_ent, r.cve_mun, r.cve_loc, r.nom_mun, r.nom_loc,
           r.banderas AS banderas_registro, a.persona_id,
           u.precision, u.confianza, u.banderas AS banderas_ubicacion, u.cvegeo_mun, u.cvegeo_loc,
           ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat,
           l.nom_loc AS localidad_ubicada,
           ST_X(ld.geom) AS lon_localidad_declarada, ST_Y(ld.geom) AS lat_localidad_declarada,
           ld.nom_loc AS localidad_declarada
    FROM padron.registro r
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN boundaries.localidad l ON l.cvegeo = u.cvegeo_loc
    LEFT JOIN boundaries.localidad ld ON ld.cvegeo = r.cve_ent || r.cve_mun || r.cve_loc
    WHERE r.id = :registro_id AND {_AREA_SQL}
    """  # noqa: S608
)

# The person's records within the area: by resolved person, else by valid CURP, else itself.
_MEMBERSHIPS = text(
    f"""
    SELECT r.id AS registro_id, r.programa, r.periodo, r.folio, r.fecha_alta, r.importe
    FROM padron.registro r
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    WHERE (r.id = :registro_id
           OR r.id IN (SELECT registro_id FROM padron.asignacion WHERE persona_id = :persona_id)
           OR (CAST(:curp AS text) IS NOT NULL AND r.curp = :curp))
      AND {_AREA_SQL}
    ORDER BY r.programa, r.periodo NULLS FIRST, r.id
    """  # noqa: S608
)

_WHERE_POINT = text(
    """
    SELECT s.clave FROM boundaries.municipio_subdividido s
    WHERE ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1
    """
)
_LOCALITY_POLYGON = text(
    """
    SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
    WHERE ST_Covers(lp.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1
    """
)
_SET_POINT = text(
    """
    INSERT INTO padron.ubicacion
        (registro_id, carga_id, cvegeo_mun, cvegeo_loc, precision, confianza, banderas, geom)
    VALUES (:registro_id, :carga_id, :mun, :loc, 'verificado_campo', 1.0, '{}',
            ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
    ON CONFLICT (registro_id) DO UPDATE SET
        cvegeo_mun = EXCLUDED.cvegeo_mun,
        cvegeo_loc = coalesce(EXCLUDED.cvegeo_loc, padron.ubicacion.cvegeo_loc),
        precision = 'verificado_campo', confianza = 1.0, banderas = '{}', geom = EXCLUDED.geom
    """
)
_KEEP_POINT = text(
    """
    INSERT INTO acceso.punto_verificado (registro_id, geom, usuario)
    VALUES (:registro_id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :usuario)
    ON CONFLICT (registro_id) DO UPDATE SET geom = EXCLUDED.geom,
        usuario = EXCLUDED.usuario, en = now()
    """
)

PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}
"""Accepted photo formats, recognised by their first bytes (never by name or declared type)."""


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
    cliente: str | None = None,
) -> list[dict[str, Any]]:
    """Records with this folio or CURP inside the user's area (the search itself is audited)."""
    if (folio is None) == (curp is None):
        raise InvalidParameter("Indique un folio o una CURP (solo uno).")
    if folio is not None and not _FOLIO.match(folio):
        raise InvalidParameter("Folio no válido: hasta 60 letras, dígitos, espacios o - / . _")
    if curp is not None:
        curp = curp.strip().upper()
        if not _CURP.match(curp):
            raise InvalidParameter("CURP no válida: deben ser 18 letras o dígitos.")
    rows = conn.execute(
        _SEARCH, {"folio": folio, "curp": curp, "municipios": _area(user)}
    ).mappings()
    found = [dict(row) for row in rows]
    criterion = "folio" if folio is not None else "curp"
    for row in found:
        record_event(
            conn, user, "buscar", registro_id=row["registro_id"], detalle=criterion, cliente=cliente
        )
    if not found:
        record_event(conn, user, "buscar_sin_resultado", detalle=criterion, cliente=cliente)
        raise NotFound(NOT_FOUND)
    return found


def beneficiary(
    conn: Connection, user: User, registro_id: int, cliente: str | None = None
) -> dict[str, Any]:
    """One record with its location, program memberships, payments by period and photos."""
    record = _record(conn, user, registro_id)
    memberships = [
        dict(row)
        for row in conn.execute(
            _MEMBERSHIPS,
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


def record_verified_point(
    conn: Connection,
    user: User,
    registro_id: int,
    lon: float,
    lat: float,
    cliente: str | None = None,
) -> dict[str, Any]:
    """Make a field-verified point the record's location (precision ``verificado_campo``)."""
    record = _record(conn, user, registro_id)
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise InvalidParameter("Coordenadas no válidas: longitud y latitud en grados decimales.")
    mun = conn.scalar(_WHERE_POINT, {"lon": lon, "lat": lat})
    if mun is None:
        raise InvalidParameter("El punto está fuera de Oaxaca.")
    if not user.covers(mun):
        raise InvalidParameter("El punto está fuera de los municipios de su área.")
    loc = conn.scalar(_LOCALITY_POLYGON, {"lon": lon, "lat": lat})
    params = {"registro_id": registro_id, "carga_id": record["carga_id"], "mun": mun, "loc": loc,
              "lon": lon, "lat": lat, "usuario": user.nombre}  # fmt: skip
    conn.execute(_SET_POINT, params)
    conn.execute(_KEEP_POINT, params)
    record_event(
        conn, user, "verificar_punto", registro_id=registro_id, carga_id=record["carga_id"],
        detalle=f"antes: {record['precision'] or 'sin ubicación'}", cliente=cliente,
    )  # fmt: skip
    return {"registro_id": registro_id, "precision": "verificado_campo", "cvegeo_mun": mun,
            "cvegeo_loc": loc, "lon": lon, "lat": lat}  # fmt: skip


def photo_type(head: bytes) -> tuple[str, str]:
    """MIME type and extension from the magic bytes; refuses anything but JPEG and PNG."""
    for magic, kind in PHOTO_TYPES.items():
        if head.startswith(magic):
            return kind
    raise InvalidParameter("La foto debe ser JPEG o PNG (el contenido no corresponde a ninguno).")


def add_photo(
    conn: Connection,
    user: User,
    registro_id: int,
    content: bytes,
    folder: Path,
    max_bytes: int,
    cliente: str | None = None,
) -> Photo:
    """Store a dwelling photo after checking size and type; nothing is left on refusal."""
    record = _record(conn, user, registro_id)
    if not content:
        raise InvalidParameter("La foto está vacía.")
    if len(content) > max_bytes:
        raise InvalidParameter(f"La foto excede el máximo de {max_bytes / 1048576:g} MB.")
    tipo, extension = photo_type(content[:16])
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
    _record(conn, user, registro_id)
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


def _record(conn: Connection, user: User, registro_id: int) -> dict[str, Any]:
    row = (
        conn.execute(_RECORD, {"registro_id": registro_id, "municipios": _area(user)})
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return dict(row)
