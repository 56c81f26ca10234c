"""Public transparency: counts by place with k-suppression, flags by municipality, downloads."""

from __future__ import annotations

from typing import Literal

from geojson_pydantic import MultiPolygon, Point, Polygon
from geojson_pydantic.features import Feature, FeatureCollection
from pydantic import ConfigDict, Field

from api.models import Model

Nivel = Literal["estado", "region", "distrito", "municipio", "localidad"]


class FilaPublica(Model):
    """Personas de un programa y periodo en un lugar; los conteos menores a k se publican
    vacíos, igual que las cifras que permitirían deducirlos."""

    nivel: Nivel = Field(description="Nivel del lugar.")
    clave: str | None = Field(
        description="Clave del lugar: CVEGEO, o nombre del distrito o la región (nula: las "
        "personas del municipio ubicadas sin localidad, «Sin localidad»)."
    )
    cvegeo_mun: str | None = Field(description="Municipio de la localidad (solo localidades).")
    nombre: str = Field(description="Nombre del lugar.")
    programa: str = Field(
        description="Clave del programa; `*` todos (cada persona una vez), `2+` personas en dos "
        "o más, `A|B` personas en ambos."
    )
    periodo: str = Field(description="Periodo (vacío si el padrón no lo indica).")
    personas: int | None = Field(description="Personas únicas; nulo si se suprimió.")
    importe: float | None = Field(
        description="Importe pagado a esas personas; nulo si se suprimió (o en `A|B`)."
    )
    suprimida: bool = Field(description="La cifra no se publica para proteger a las personas.")
    poblacion: int | None = Field(description="Población total del lugar, Censo 2020.")
    cobertura_pct: float | None = Field(
        description="Personas entre la población objetivo del programa, en por ciento."
    )
    grado_marginacion: str | None = Field(description="Grado de marginación del lugar.")


class Conteos(Model):
    """Conteos publicados con supresión de celdas pequeñas."""

    k: int = Field(description="Umbral de supresión: no se publica ningún conteo menor a k.")
    exactas: bool = Field(description="Cifras exactas (sesión de planeación o administración).")
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
    exactas: bool = Field(description="Cifras exactas (sesión de planeación o administración).")
    filas: list[AnomaliaPublica] = Field(description="Las filas que cumplen el filtro.")


class FilaDescargada(FilaPublica):
    """Una fila publicada en una descarga, con la fuente de sus datos."""

    fuente: str = Field(description="Fuente de los datos (INEGI, CONAPO) y su tratamiento.")


class ElementoPublico(Feature[Point | Polygon | MultiPolygon, FilaDescargada]):
    """Una fila publicada como elemento GeoJSON (geometría pública de INEGI)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")


class ConteosGeoJSON(FeatureCollection[ElementoPublico]):
    """Los conteos publicados en GeoJSON; las filas «sin localidad» no tienen geometría."""

    model_config = ConfigDict(extra="forbid")
