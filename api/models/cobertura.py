"""Coverage tables, what has been computed, and the gap ranking: aggregates only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from geojson_pydantic import MultiPolygon, Point, Polygon
from geojson_pydantic.features import Feature
from pydantic import ConfigDict, Field

from api.models import Model
from api.models.geojson import Coleccion


class FilaDeCobertura(Model):
    """Personas únicas de un programa y periodo en un área, frente a su población objetivo;
    las cifras suprimidas son nulas."""

    nivel: str = Field(description="localidad, municipio, distrito, region o estado.")
    clave: str = Field(
        description="Clave del área (CVEGEO, o nombre de distrito o región); la clave del "
        "municipio, en el nivel localidad, para sus personas ubicadas sin localidad."
    )
    nombre: str = Field(description="Nombre del área («Sin localidad» para esas personas).")
    cvegeo_mun: str | None = Field(description="Municipio del área (localidades y municipios).")
    nom_mun: str | None = Field(description="Nombre del municipio.")
    distrito: str | None = Field(description="Distrito.")
    region: str | None = Field(description="Región.")
    programa: str = Field(description="Clave del programa; `*`: todos (cada persona una vez).")
    periodo: str = Field(description="Periodo (vacío: sin periodo).")
    personas: int | None = Field(description="Personas únicas; nulo si se suprimió.")
    importe: float | None = Field(description="Importe pagado; nulo si se suprimió.")
    pobtot: int | None = Field(description="Población total, Censo 2020.")
    grupo: str | None = Field(description="Grupo de población objetivo del programa.")
    poblacion_grupo: float | None = Field(description="Población del grupo objetivo.")
    cobertura: float | None = Field(description="Personas entre población objetivo (fracción).")
    gm: str | None = Field(description="Grado de marginación del área.")
    fuente_marginacion: str | None = Field(description="Fuente del grado: IML, IMU o IMM.")
    anio_marginacion: int | None = Field(description="Año del índice de marginación.")
    suprimida: bool = Field(description="La cifra no se publica para proteger a las personas.")


class PaginaDeCobertura(Model):
    """Una página de la tabla de cobertura."""

    total: int = Field(description="Filas que cumplen los filtros (todas las páginas).")
    limite: int = Field(description="Filas por página.")
    desplazamiento: int = Field(description="Filas saltadas antes de esta página.")
    elementos: list[FilaDeCobertura] = Field(description="Las filas de esta página.")


class ElementoDeCobertura(Feature[Point | Polygon | MultiPolygon, FilaDeCobertura]):
    """Una fila de cobertura como elemento GeoJSON (geometría del área)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"] = Field(description="Siempre `Feature`.")
    id: str = Field(description="`nivel:clave:programa:periodo`.")


class CoberturaGeoJSON(Coleccion[ElementoDeCobertura]):
    """Una página de la tabla de cobertura en GeoJSON."""


class Calculada(Model):
    """Un programa y periodo con cobertura calculada."""

    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo (nulo: sin periodo).")
    cargas: list[int] = Field(description="Cargas de las que se calculó.")
    grupo: str | None = Field(description="Grupo de población objetivo.")
    registros: int | None = Field(
        description="Registros contados (solo con sesión de planeación o administración)."
    )
    refrescado_en: datetime = Field(description="Cuándo se calculó.")


class Brecha(Model):
    """Una localidad en el orden de prioridad para focalizar apoyos, con el motivo."""

    lugar: int = Field(description="Posición en el orden (1 = más prioritaria).")
    cvegeo: str = Field(description="Clave INEGI de la localidad.")
    nom_loc: str = Field(description="Nombre de la localidad.")
    cvegeo_mun: str | None = Field(description="Clave del municipio.")
    nom_mun: str | None = Field(description="Nombre del municipio.")
    distrito: str | None = Field(description="Distrito.")
    region: str | None = Field(description="Región.")
    pobtot: int = Field(description="Población total, Censo 2020.")
    gm: str | None = Field(description="Grado de marginación.")
    fuente_marginacion: str | None = Field(description="Fuente del grado: IML, IMU o IMM.")
    anio_marginacion: int | None = Field(description="Año del índice de marginación.")
    grupo: str = Field(description="Grupo de población medido.")
    poblacion_grupo: float | None = Field(description="Población del grupo en la localidad.")
    personas: int | None = Field(
        description="Personas atendidas por los programas elegidos (nulo: suprimido)."
    )
    cobertura: float | None = Field(description="Personas entre población del grupo (fracción).")
    suprimida: bool = Field(description="La cifra de la localidad no se publica.")
    periodo: str | None = Field(description="Periodo medido.")
    programas_presentes: list[str] = Field(description="Programas con personas en la localidad.")
    programas_ausentes: list[str] = Field(description="Programas elegidos que no llegan.")
    motivo: str = Field(description="Por qué ocupa ese lugar, en español.")


class PaginaDeBrechas(Model):
    """Una página del orden de prioridad."""

    periodo: str | None = Field(description="Periodo usado (el más reciente si no se pidió).")
    total: int = Field(description="Localidades que cumplen los filtros.")
    limite: int = Field(description="Localidades por página.")
    desplazamiento: int = Field(description="Localidades saltadas antes de esta página.")
    elementos: list[Brecha] = Field(description="Las localidades de esta página.")


class PeriodoPredeterminado(Model):
    """El periodo que muestran por omisión el mapa y las brechas."""

    periodo: str | None = Field(
        description="El más reciente con al menos `umbral_ubicados` de sus registros ubicados "
        "(o el más reciente si ninguno lo alcanza); nulo sin cobertura calculada."
    )
    umbral_ubicados: float = Field(
        description="Fracción mínima de registros ubicados en un municipio para ser el "
        "periodo predeterminado."
    )
