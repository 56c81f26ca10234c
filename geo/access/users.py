"""Users, roles, areas, tokens and the append-only audit log (schema ``acceso``).

Passwords are hashed with Argon2id (argon2-cffi). API tokens are opaque random strings
(``secrets.token_urlsafe``): only their SHA-256 is stored, with an expiry. A fast hash suffices
for tokens because they carry 256 random bits (nothing to brute-force, unlike a password), and
opaque stored tokens, unlike signed JWTs, die at once when a user is deactivated or a token is
revoked, with no signing key to manage. Created by ``migrations/versions/0008_acceso.py``.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Connection,
    delete,
    func,
    insert,
    select,
    update,
)

from boundaries.tables import municipio
from geo.access.tables import auditoria, token, usuario
from geo.kernel.errors import InvalidParameter, NotFound, TooManyAttempts

ROLES = ("campo", "planeacion", "admin")
"""Roles with a login, least to most privileged; the public needs none."""

_hasher = PasswordHasher()
MIN_SECRET_LENGTH = 10


@dataclass(frozen=True)
class User:
    """An authenticated user; ``municipios`` is None when the area is the whole registry."""

    id: int
    nombre: str
    rol: str
    municipios: frozenset[str] | None

    def covers(self, cvegeo_mun: str | None) -> bool:
        """Whether a record in this municipality is inside the user's area."""
        return self.municipios is None or (cvegeo_mun is not None and cvegeo_mun in self.municipios)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown once and never stored."""

    access_token: str
    expira_en: datetime


def create_user(
    conn: Connection,
    nombre: str,
    rol: str,
    secreto: str,
    municipios: Iterable[str] = (),
    regiones: Iterable[str] = (),
) -> int:
    """Create a user; field staff need an area, municipalities and regions must exist."""
    if rol not in ROLES:
        raise InvalidParameter(f"Rol desconocido {rol!r}; use uno de: {', '.join(ROLES)}.")
    if len(secreto) < MIN_SECRET_LENGTH:
        raise InvalidParameter(f"La contraseña debe tener al menos {MIN_SECRET_LENGTH} caracteres.")
    municipios, regiones = sorted(set(municipios)), sorted(set(regiones))
    if rol == "campo" and not (municipios or regiones):
        raise InvalidParameter("El personal de campo necesita municipios o regiones asignados.")
    known = set(conn.scalars(select(municipio.c.cvegeo).where(municipio.c.cvegeo.in_(municipios))))
    if missing := [m for m in municipios if m not in known]:
        raise InvalidParameter(f"Municipios inexistentes: {', '.join(missing)}.")
    known_regions = set(
        conn.scalars(select(municipio.c.region).where(municipio.c.region.in_(regiones)))
    )
    if missing := [r for r in regiones if r not in known_regions]:
        raise InvalidParameter(f"Regiones inexistentes: {', '.join(missing)}.")
    if conn.scalar(select(usuario.c.id).where(usuario.c.nombre == nombre)) is not None:
        raise InvalidParameter(f"Ya existe el usuario {nombre!r}.")
    user_id: int = conn.execute(
        insert(usuario)
        .values(
            nombre=nombre,
            rol=rol,
            secreto_hash=_hasher.hash(secreto),
            municipios=municipios,
            regiones=regiones,
        )
        .returning(usuario.c.id)
    ).scalar_one()
    return user_id


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every user without the secret hash."""
    rows = conn.execute(
        select(
            usuario.c.nombre,
            usuario.c.rol,
            usuario.c.municipios,
            usuario.c.regiones,
            usuario.c.activo,
            usuario.c.creado_en,
        ).order_by(usuario.c.nombre)
    )
    return [dict(row._mapping) for row in rows]


def deactivate_user(conn: Connection, nombre: str) -> None:
    """Deactivate a user and revoke all their tokens at once."""
    user_id = conn.scalar(
        update(usuario)
        .where(usuario.c.nombre == nombre)
        .values(activo=False)
        .returning(usuario.c.id)
    )
    if user_id is None:
        raise NotFound(f"No existe el usuario {nombre!r}.")
    conn.execute(delete(token).where(token.c.usuario_id == user_id))


@dataclass(frozen=True)
class LoginPolicy:
    """Failed logins allowed per user name and per client address within ``window``; past
    either, logins are refused (without checking the password) until the window moves on."""

    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


LOGIN_FAILED = "acceso_fallido"
LOGIN_LOCKED = "acceso_bloqueado"
MAX_USER_NAME = 100


def login(
    conn: Connection,
    nombre: str,
    secreto: str,
    cliente: str | None,
    policy: LoginPolicy | None = None,
) -> int:
    """The id of an active user with this password, under ``policy``.

    Failures and lockouts are audit lines (``acceso_fallido``, ``acceso_bloqueado``) in the
    caller's transaction, which must commit them even when this raises; the lockout counts
    those lines, so it holds across workers and restarts. A stored hash made with older Argon2
    parameters is replaced by one with the current parameters.
    """
    policy = policy or LoginPolicy()
    if len(nombre) > MAX_USER_NAME or not nombre.isprintable():
        raise InvalidParameter("Usuario o contraseña incorrectos.")
    who = User(0, nombre, "", frozenset())
    since = datetime.now(UTC) - policy.window
    failures = select(func.count()).where(
        auditoria.c.accion == LOGIN_FAILED, auditoria.c.en >= since
    )
    by_user = conn.execute(failures.where(auditoria.c.usuario == nombre)).scalar_one()
    by_address = (
        conn.execute(failures.where(auditoria.c.cliente == cliente)).scalar_one() if cliente else 0
    )
    if by_user >= policy.per_user or by_address >= policy.per_address:
        record_event(conn, who, LOGIN_LOCKED, cliente=cliente)
        minutes = int(policy.window.total_seconds() // 60)
        raise TooManyAttempts(
            f"Demasiados intentos fallidos; espere {minutes} minutos e intente de nuevo.",
            retry_after=int(policy.window.total_seconds()),
        )
    try:
        return authenticate(conn, nombre, secreto)
    except InvalidParameter:
        record_event(conn, who, LOGIN_FAILED, cliente=cliente)
        raise


def authenticate(conn: Connection, nombre: str, secreto: str) -> int:
    """The id of an active user with this password; one message for every failure."""
    row = conn.execute(
        select(usuario.c.id, usuario.c.secreto_hash).where(
            usuario.c.nombre == nombre, usuario.c.activo
        )
    ).first()
    try:
        if row is None:
            # Hash anyway so that response time does not tell which user names exist.
            _hasher.hash(secreto)
        elif _hasher.verify(row.secreto_hash, secreto):
            if _hasher.check_needs_rehash(row.secreto_hash):
                conn.execute(
                    update(usuario)
                    .where(usuario.c.id == row.id)
                    .values(secreto_hash=_hasher.hash(secreto))
                )
            return int(row.id)
    except (VerificationError, InvalidHashError):
        pass
    raise InvalidParameter("Usuario o contraseña incorrectos.")


def issue_token(conn: Connection, user_id: int, lifetime: timedelta) -> IssuedToken:
    """A new random token for the user; expired tokens of everyone are purged on the way."""
    now = datetime.now(UTC)
    conn.execute(delete(token).where(token.c.expira_en < now))
    secret = secrets.token_urlsafe(32)
    expires = now + lifetime
    conn.execute(
        insert(token).values(hash=_token_hash(secret), usuario_id=user_id, expira_en=expires)
    )
    return IssuedToken(secret, expires)


def issue_token_by_name(conn: Connection, nombre: str, lifetime: timedelta) -> IssuedToken:
    """A token for an active user (CLI path, e.g. scripts or the first admin)."""
    user_id = conn.scalar(select(usuario.c.id).where(usuario.c.nombre == nombre, usuario.c.activo))
    if user_id is None:
        raise NotFound(f"No existe el usuario activo {nombre!r}.")
    return issue_token(conn, int(user_id), lifetime)


def user_for_token(conn: Connection, secret: str) -> User | None:
    """The active user owning an unexpired token, with the area resolved to municipalities."""
    row = conn.execute(
        select(
            usuario.c.id, usuario.c.nombre, usuario.c.rol, usuario.c.municipios, usuario.c.regiones
        )
        .join(token, token.c.usuario_id == usuario.c.id)
        .where(
            token.c.hash == _token_hash(secret),
            token.c.expira_en > func.now(),
            usuario.c.activo,
        )
    ).first()
    if row is None:
        return None
    area: frozenset[str] | None
    if not row.municipios and not row.regiones and row.rol != "campo":
        area = None
    else:
        in_regions = conn.scalars(
            select(municipio.c.cvegeo).where(municipio.c.region.in_(row.regiones))
        )
        area = frozenset(row.municipios) | frozenset(in_regions)
    return User(int(row.id), row.nombre, row.rol, area)


def record_event(
    conn: Connection,
    user: User,
    accion: str,
    *,
    registro_id: int | None = None,
    carga_id: int | None = None,
    detalle: str | None = None,
    cliente: str | None = None,
) -> None:
    """Append one line to the audit log (in the caller's transaction)."""
    conn.execute(
        insert(auditoria).values(
            usuario=user.nombre,
            accion=accion,
            registro_id=registro_id,
            carga_id=carga_id,
            detalle=detalle,
            cliente=cliente,
        )
    )


AUDIT_COLUMNS = ("id", "en", "usuario", "accion", "registro_id", "carga_id", "detalle", "cliente")


def query_audit(
    conn: Connection,
    *,
    usuario_nombre: str | None = None,
    registro_id: int | None = None,
    accion: str | None = None,
    desde: datetime | None = None,
    hasta: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit lines, newest first, filtered by user, record, action and time range."""
    for value in (usuario_nombre, accion):
        if value is not None and not value.isprintable():
            raise InvalidParameter("Los filtros de texto no admiten caracteres de control.")
    try:
        desde, hasta = (None if t is None else t.astimezone(UTC) for t in (desde, hasta))
    except (OverflowError, ValueError):
        raise InvalidParameter("Fecha fuera del intervalo admitido.") from None
    query = select(*(auditoria.c[name] for name in AUDIT_COLUMNS)).order_by(auditoria.c.id.desc())
    if usuario_nombre is not None:
        query = query.where(auditoria.c.usuario == usuario_nombre)
    if registro_id is not None:
        query = query.where(auditoria.c.registro_id == registro_id)
    if accion is not None:
        query = query.where(auditoria.c.accion == accion)
    if desde is not None:
        query = query.where(auditoria.c.en >= desde)
    if hasta is not None:
        query = query.where(auditoria.c.en < hasta)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]


def write_audit_csv(rows: list[dict[str, Any]], handle: IO[str]) -> int:
    """Write audit lines as CSV with a header; returns the number of lines."""
    writer = csv.DictWriter(handle, fieldnames=AUDIT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "en": row["en"].isoformat() if row["en"] else ""})
    return len(rows)


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
