"""``GET /ubicacion/verificar``: reference geography only, no personal data."""

from __future__ import annotations

from pydantic import Field

from api.models import Model


class MunicipioDelPunto(Model):
    """El municipio que contiene el punto."""

    cvegeo: str = Field(description="Clave INEGI del municipio.")
    nombre: str = Field(description="Nombre del municipio.")


class LocalidadCercana(Model):
    """Una localidad cercana al punto."""

    cvegeo: str = Field(description="Clave INEGI de la localidad.")
    nom_loc: str = Field(description="Nombre de la localidad.")
    cvegeo_mun: str = Field(description="Clave INEGI de su municipio.")
    pobtot: int = Field(description="Población total, Censo 2020.")
    distancia_m: int = Field(description="Distancia al punto, en metros.")


class MunicipioDeclarado(Model):
    """El municipio declarado y si el punto cae en él (con un margen)."""

    cvegeo: str = Field(description="Clave INEGI del municipio declarado (5 dígitos).")
    nombre: str = Field(description="Nombre del municipio.")
    coincide: bool = Field(description="El punto cae en el municipio declarado.")


class LocalidadDeclarada(Model):
    """La localidad declarada y si el punto concuerda con ella."""

    cvegeo: str = Field(description="Clave INEGI de la localidad declarada (9 dígitos).")
    nombre: str = Field(description="Nombre de la localidad.")
    distancia_m: int = Field(description="Distancia del punto a la localidad, en metros.")
    coincide: bool = Field(
        description="El punto está dentro del radio rural o del polígono urbano de la localidad."
    )


class Verificacion(Model):
    """Dónde cae un punto, qué hay cerca y si concuerda con el lugar declarado."""

    lon: float = Field(description="Longitud recibida.")
    lat: float = Field(description="Latitud recibida.")
    municipio: MunicipioDelPunto | None = Field(description="Municipio que contiene el punto.")
    localidad_poligono: str | None = Field(
        description="Clave del polígono de localidad urbana que contiene el punto."
    )
    cercanas: list[LocalidadCercana] = Field(description="Localidades más cercanas.")
    declarada: LocalidadDeclarada | MunicipioDeclarado | None = Field(
        description="Con `cvegeo`: el lugar declarado."
    )
    banderas: list[str] = Field(description="Problemas del punto (`coord_cero`, …).")
