"""Public transparency: counts by place with k-suppression, flags by municipality, downloads."""

from __future__ import annotations

from typing import Literal

from geojson_pydantic import MultiPolygon, Point, Polygon
from geojson_pydantic.features import Feature, FeatureCollection
from pydantic import ConfigDict, Field

from api.models import Model


class FilaPublica(Model):
    """Personas de un programa y periodo en un lugar; los conteos menores a k se publican
    vacíos, igual que las celdas que permitirían deducirlos."""

    nivel: Literal["estado", "municipio", "localidad"] = Field(description="Nivel del lugar.")
    clave: str | None = Field(description="Clave INEGI del lugar (nula: «sin localidad»).")
    cvegeo_mun: str | None = Field(description="Municipio de la localidad (solo localidades).")
    nombre: str = Field(description="Nombre del lugar.")
    programa: str = Field(description="Clave del programa.")
    periodo: str = Field(description="Periodo (vacío si el padrón no lo indica).")
    personas: int | None = Field(description="Personas únicas; nulo si se suprimió.")
    suprimida: bool = Field(description="El conteo se suprimió para proteger a las personas.")
    poblacion: int | None = Field(description="Población total del lugar, Censo 2020.")
    cobertura_pct: float | None = Field(description="Personas entre población, en por ciento.")
    grado_marginacion: str | None = Field(description="Grado de marginación del lugar.")


class Conteos(Model):
    """Conteos publicados con supresión de celdas pequeñas."""

    k: int = Field(description="Umbral de supresión: no se publica ningún conteo menor a k.")
    filas: list[FilaPublica] = Field(description="Las filas que cumplen los filtros.")


class AnomaliaPublica(Model):
    """Registros con una bandera de calidad en un municipio."""

    cvegeo_mun: str = Field(description="Clave INEGI del municipio.")
    municipio: str = Field(description="Nombre del municipio.")
    bandera: str = Field(description="Bandera de calidad.")
    registros: int | None = Field(description="Registros; nulo si se suprimió (menos de k).")
    suprimida: bool = Field(description="El conteo se suprimió.")


class AnomaliasPublicas(Model):
    """Registros con banderas por municipio, con supresión."""

    k: int = Field(description="Umbral de supresión.")
    filas: list[AnomaliaPublica] = Field(description="Las filas que cumplen el filtro.")


class ElementoPublico(Feature[Point | Polygon | MultiPolygon, FilaPublica]):
    """Una fila publicada como elemento GeoJSON (geometría pública de INEGI)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")


class ConteosGeoJSON(FeatureCollection[ElementoPublico]):
    """Los conteos publicados en GeoJSON; las filas «sin localidad» no tienen geometría."""

    model_config = ConfigDict(extra="forbid")
