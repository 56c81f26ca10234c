"""``GET /salud``."""

from __future__ import annotations

from pydantic import Field

from api.models import Model


class Salud(Model):
    """Estado del servicio, de la base de datos y de la geografía de referencia cargada."""

    estado: str = Field(description="`ok` o `degradado`.")
    base_de_datos: str = Field(description="`ok`, o por qué no responde.")
    postgis: str | None = Field(default=None, description="Versión de PostGIS.")
    municipios: int | None = Field(default=None, description="Municipios cargados.")
    localidades: int | None = Field(default=None, description="Localidades cargadas.")
