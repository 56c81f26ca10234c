"""``POST /token``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from api.models import Model


class Token(Model):
    """Token de acceso del flujo de contraseña de OAuth2."""

    access_token: str = Field(description="Token opaco; envíelo como `Authorization: Bearer`.")
    token_type: Literal["bearer"] = Field(description="Siempre `bearer`.")
    expires_in: int = Field(description="Segundos de vigencia.")
    expira_en: datetime = Field(description="Cuándo vence el token.")
