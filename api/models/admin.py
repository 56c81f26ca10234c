"""Admin: the audit log and the control panel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from api.models import Model


class LineaDeAuditoria(Model):
    """Quién leyó o cambió qué registro, cuándo y desde dónde."""

    id: int = Field(description="Id de la línea (creciente).")
    en: datetime | None = Field(description="Cuándo.")
    usuario: str = Field(description="Usuario.")
    accion: str = Field(description="Acción: consultar, buscar, verificar_punto, subir_foto, …")
    registro_id: int | None = Field(description="Registro afectado.")
    carga_id: int | None = Field(description="Carga del registro.")
    detalle: str | None = Field(description="Detalle de la acción.")
    cliente: str | None = Field(description="Dirección del cliente.")


class TotalesDePrograma(Model):
    """Registros, personas e importe de un programa."""

    programa: str = Field(description="Clave del programa.")
    registros: int = Field(description="Registros cargados.")
    personas: int = Field(description="Personas únicas.")
    importe: Decimal | None = Field(description="Importe total (texto decimal).")


class ParDeProgramas(Model):
    """Personas en dos programas del mismo periodo."""

    programas: list[str] = Field(description="Los dos programas.")
    personas: int = Field(description="Personas en ambos.")


class DuplicadosDelPanel(Model):
    """Apoyos duplicados (conteos e importe)."""

    personas_por_programa: dict[str, int] = Field(description="Personas únicas por programa.")
    pares_de_programas: list[ParDeProgramas] = Field(description="Personas por par de programas.")
    inscripciones_repetidas: dict[str, int] = Field(
        description="Inscripciones repetidas dentro de cada programa."
    )
    importe_involucrado: str = Field(description="Importe de las inscripciones duplicadas.")


class CoberturaDelPanel(Model):
    """Personas registradas frente a la población del estado."""

    personas: int = Field(description="Personas únicas en el padrón.")
    poblacion: int | None = Field(description="Población total, Censo 2020.")
    pct: float | None = Field(description="Personas entre población, en por ciento.")


class Calidad(Model):
    """Calidad de los datos: registros por precisión de ubicación y por bandera."""

    por_precision: dict[str, int] = Field(description="Registros por precisión de ubicación.")
    por_bandera: dict[str, int] = Field(description="Registros por bandera de calidad.")


class CargaReciente(Model):
    """Una de las últimas cargas."""

    carga: int = Field(description="Id de la carga.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    archivo: str = Field(description="Nombre del archivo.")
    filas_leidas: int = Field(description="Filas leídas.")
    filas_cargadas: int = Field(description="Filas cargadas.")
    filas_rechazadas: int = Field(description="Filas rechazadas.")
    terminada_en: datetime = Field(description="Cuándo terminó.")
    usuario: str | None = Field(description="Quién la cargó.")


class Traslape(Model):
    """Personas en cada par de programas (en un mismo periodo): una matriz simétrica cuya
    diagonal es el total de personas únicas de cada programa."""

    programas: list[str] = Field(description="Los programas, en el orden de filas y columnas.")
    personas: list[list[int]] = Field(
        description="`personas[i][j]`: personas en los programas i y j; `personas[i][i]`: "
        "personas únicas del programa i."
    )


class ProgramaEnRegion(Model):
    """La cobertura de un programa en una región, frente a su grupo objetivo."""

    personas: int = Field(description="Personas únicas del programa en la región.")
    grupo: str | None = Field(description="Grupo objetivo (`total`, `65+`, …).")
    poblacion_grupo: float | None = Field(description="Población del grupo en la región.")
    cobertura: float | None = Field(description="Personas entre población del grupo (0 a 1).")


class RegionDelPanel(Model):
    """Cobertura de una región en el periodo del panel."""

    region: str = Field(description="Región de Oaxaca.")
    poblacion: int = Field(description="Población total, Censo 2020.")
    personas: int = Field(description="Personas alcanzadas por algún programa (sin repetir).")
    cobertura: float | None = Field(description="Personas entre población (0 a 1).")
    por_programa: dict[str, ProgramaEnRegion] = Field(description="Cobertura de cada programa.")


class MunicipioDelPanel(Model):
    """Cobertura de un municipio en el periodo del panel (para el mapa)."""

    cvegeo: str = Field(description="Clave INEGI del municipio.")
    nom_mun: str = Field(description="Nombre del municipio.")
    poblacion: int = Field(description="Población total, Censo 2020.")
    personas: int = Field(description="Personas alcanzadas por algún programa (sin repetir).")
    cobertura: float | None = Field(description="Personas entre población (0 a 1).")


class CalidadDeCarga(Model):
    """La calidad de los datos de una carga: precisión de la ubicación y banderas."""

    carga: int = Field(description="Id de la carga.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    terminada_en: datetime = Field(description="Cuándo terminó.")
    filas_leidas: int = Field(description="Filas leídas.")
    registros: int = Field(description="Registros cargados.")
    filas_rechazadas: int = Field(description="Filas rechazadas.")
    con_bandera: int = Field(description="Registros con alguna bandera.")
    por_precision: dict[str, int] = Field(description="Registros por precisión de ubicación.")
    por_bandera: dict[str, int] = Field(description="Registros con cada bandera.")


class Panel(Model):
    """El estado del padrón en una lectura: cifras exactas, solo agregados, sin datos
    personales. Solo administración."""

    por_programa: list[TotalesDePrograma] = Field(description="Totales por programa.")
    duplicados: DuplicadosDelPanel = Field(description="Apoyos duplicados.")
    traslape: Traslape = Field(description="Personas en cada par de programas.")
    cobertura: CoberturaDelPanel = Field(description="Cobertura del estado.")
    periodo: str | None = Field(description="Periodo de la cobertura por región y municipio.")
    periodos: list[str] = Field(description="Periodos con cobertura, el más reciente primero.")
    regiones: list[RegionDelPanel] = Field(description="Cobertura por región y programa.")
    municipios: list[MunicipioDelPanel] = Field(description="Cobertura por municipio.")
    calidad: Calidad = Field(description="Calidad de los datos.")
    calidad_por_carga: list[CalidadDeCarga] = Field(
        description="Calidad de las cargas más recientes (hasta 30), de la más antigua a la "
        "más reciente."
    )
    ultimas_cargas: list[CargaReciente] = Field(description="Las cargas más recientes.")
