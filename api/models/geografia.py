"""``GET /municipios`` and ``GET /localidades``: reference geography, JSON or GeoJSON."""

from __future__ import annotations

from typing import Literal

from geojson_pydantic import MultiPolygon, Point
from geojson_pydantic.features import Feature
from pydantic import ConfigDict, Field

from api.models import Model
from api.models.geojson import ColeccionPaginada


class Pagina(Model):
    """Una página de resultados."""

    total: int = Field(description="Elementos que cumplen los filtros (todas las páginas).")
    limite: int = Field(description="Elementos por página.")
    desplazamiento: int = Field(description="Elementos saltados antes de esta página.")
    siguiente: str | None = Field(description="URL de la página siguiente; nulo en la última.")


class Municipio(Model):
    """Un municipio con su índice de marginación más reciente (CONAPO, IMM)."""

    cvegeo: str = Field(description="Clave INEGI del municipio (5 dígitos).")
    nom_mun: str = Field(description="Nombre del municipio (INEGI).")
    distrito: str | None = Field(description="Distrito rentístico.")
    region: str | None = Field(description="Región del estado.")
    pob_2020: int | None = Field(description="Población total, Censo 2020.")
    anio_marginacion: int | None = Field(description="Año del índice de marginación.")
    gm: str | None = Field(description="Grado de marginación (Muy bajo … Muy alto).")
    im: float | None = Field(description="Índice de marginación.")


class Localidad(Model):
    """Una localidad del Censo 2020 (ITER) con la mejor marginación disponible."""

    cvegeo: str = Field(description="Clave INEGI de la localidad (9 dígitos).")
    nom_loc: str = Field(description="Nombre de la localidad (INEGI).")
    cvegeo_mun: str = Field(description="Clave INEGI del municipio (5 dígitos).")
    nom_mun: str = Field(description="Nombre del municipio.")
    pobtot: int = Field(description="Población total, Censo 2020.")
    pobfem: int | None = Field(description="Población femenina (nula si INEGI la reserva).")
    pobmas: int | None = Field(description="Población masculina (nula si INEGI la reserva).")
    altitud: int | None = Field(description="Altitud en metros.")
    fuera_de_municipio: bool = Field(
        description="El punto de INEGI cae en otro municipio que el de su clave."
    )
    gm: str | None = Field(description="Grado de marginación.")
    im: float | None = Field(description="Índice de marginación.")
    fuente_marginacion: str | None = Field(
        description="De dónde viene la marginación: IML (localidad), IMU (AGEB urbanas) o IMM "
        "(municipio)."
    )
    anio_marginacion: int | None = Field(description="Año del índice de marginación.")
    lon: float = Field(description="Longitud del punto de INEGI.")
    lat: float = Field(description="Latitud del punto de INEGI.")


class PaginaMunicipios(Pagina):
    """Una página de municipios."""

    elementos: list[Municipio] = Field(description="Los municipios de esta página.")


class PaginaLocalidades(Pagina):
    """Una página de localidades."""

    elementos: list[Localidad] = Field(description="Las localidades de esta página.")


class ElementoMunicipio(Feature[MultiPolygon, Municipio]):
    """Un municipio como elemento GeoJSON (polígono simplificado)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")
    id: str = Field(description="Clave INEGI del municipio.")


class ElementoLocalidad(Feature[Point, Localidad]):
    """Una localidad como elemento GeoJSON (punto de INEGI)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")
    id: str = Field(description="Clave INEGI de la localidad.")


class MunicipiosGeoJSON(ColeccionPaginada[ElementoMunicipio]):
    """Una página de municipios en GeoJSON."""


class LocalidadesGeoJSON(ColeccionPaginada[ElementoLocalidad]):
    """Una página de localidades en GeoJSON."""
