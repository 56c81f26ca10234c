"""OAuth2 bearer tokens and role/area checks for the routers.

``POST /token`` is the OAuth2 password flow; the token it returns is opaque (see
``geo.access``). ``require_role("campo", "admin")`` is a dependency that answers 401 without a
valid token and 403 for a role not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from api import errors
from api.deps import ConnDep, SettingsDep
from api.models.acceso import Token
from geo.access.users import User, issue_token, login, user_for_token
from geo.kernel.errors import InvalidParameter, TooManyAttempts

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)
router = APIRouter(tags=["acceso"])

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
AUTH_ERRORS = errors.responses(401, 403)
"""The answers of a route behind :func:`require_role`, for its OpenAPI ``responses``."""


def current_user(conn: ConnDep, secret: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    """The user of the bearer token; 401 when missing, unknown, expired or deactivated."""
    user = user_for_token(conn, secret) if secret else None
    if user is None:
        raise HTTPException(401, "Se requiere un token de acceso válido y vigente.", UNAUTHORIZED)
    return user


def require_role(*roles: str) -> Callable[[User], User]:
    """Dependency factory: the current user, if their role is one of ``roles``."""

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.rol not in roles:
            raise HTTPException(403, "Su rol no tiene acceso a este recurso.")
        return user

    return check


PersonalDataUser = Annotated[User, Depends(require_role("campo", "planeacion", "admin"))]
AdminUser = Annotated[User, Depends(require_role("admin"))]


def sees_exact_figures(request: Request, conn: ConnDep) -> bool:
    """Whether the caller sees the publication's exact figures: planners and admins whose area
    is the whole state. Anyone else, with or without a token, sees the suppressed figures; a
    token that is sent must be valid. Read by hand, not through :data:`oauth2_scheme`, so that
    the routes stay public in the OpenAPI document (see :data:`OPTIONAL_LOGIN`)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return False
    user = user_for_token(conn, secret.strip())
    if user is None:
        raise HTTPException(401, "Se requiere un token de acceso válido y vigente.", UNAUTHORIZED)
    return user.rol in ("planeacion", "admin") and user.municipios is None


ExactFigures = Annotated[bool, Depends(sees_exact_figures)]
OPTIONAL_LOGIN: dict[str, Any] = {"security": [{}, {"OAuth2PasswordBearer": []}]}
"""``openapi_extra`` of a public route that shows exact figures to planners and admins."""


def client_address(request: Request) -> str | None:
    """The client's address as seen by the server (for the audit log)."""
    return request.client.host if request.client else None


@router.post(
    "/token",
    response_model=Token,
    summary="Obtener un token de acceso (OAuth2, flujo de contraseña)",
    description="Cambia usuario y contraseña por un token opaco que vence; envíelo en "
    "`Authorization: Bearer <token>`. Un usuario desconocido, una contraseña equivocada o un "
    "usuario desactivado responden 401 con el mismo mensaje. Tras varios intentos fallidos por "
    "usuario o por dirección, responde 429 sin revisar la contraseña hasta que pase la ventana.",
    response_description="El token y su vigencia.",
    responses={
        **errors.responses(401, 422, 503),
        429: {
            **errors.responses(429)[429],
            "description": "Demasiados intentos fallidos de este usuario o de esta dirección.",
        },
    },
)
def obtener_token(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange user name and password for a bearer token that expires. Failed attempts are
    counted per user name and per address (``settings.login_policy``): past the limit the
    answer is 429 without checking the password, and the refusal is audited."""
    try:
        user_id = login(
            conn, form.username, form.password, client_address(request), settings.login_policy
        )
    except InvalidParameter as error:
        conn.commit()  # keep the audit line of the failure
        raise HTTPException(401, str(error), UNAUTHORIZED) from None
    except TooManyAttempts:
        conn.commit()
        raise
    issued = issue_token(conn, user_id, timedelta(minutes=settings.token_minutes))
    conn.commit()
    return Token(
        access_token=issued.access_token,
        token_type="bearer",
        expires_in=settings.token_minutes * 60,
        expira_en=issued.expira_en,
    )
