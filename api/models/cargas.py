"""``POST /cargas``, ``GET /cargas/{carga_id}`` and ``POST /cargas/{carga_id}/retiro``."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.models import Model

Conteos = dict[str, int]


class CargaCreada(Model):
    """Resultado de cargar un padrón y llevarlo por geocodificación, resolución y cobertura."""

    carga: int = Field(description="Id de la carga.")
    ya_cargado: bool = Field(description="El mismo contenido ya se había cargado: no se repite.")
    filas_leidas: int = Field(description="Filas leídas del archivo.")
    filas_cargadas: int = Field(description="Filas cargadas como registros.")
    filas_rechazadas: int = Field(description="Filas rechazadas (ver `rechazos_por_motivo`).")
    rechazos_por_motivo: Conteos = Field(description="Filas rechazadas por motivo.")
    banderas: Conteos = Field(description="Registros cargados con cada bandera de calidad.")
    ubicacion_por_precision: Conteos = Field(
        description="Registros de esta carga ubicados por precisión (otras cargas pendientes "
        "que se ubicaron en la misma corrida no se cuentan aquí)."
    )
    personas: int = Field(description="Personas nuevas o asignadas por la resolución.")
    cobertura_recalculada: list[str] = Field(description="Programas y periodos recalculados.")
    estado: str = Field(description="Ruta del estado de la carga.")


class EstadoCarga(Model):
    """Conteos y datos de control de una carga (sin filas ni datos personales)."""

    id: int = Field(description="Id de la carga.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo del padrón.")
    archivo: str = Field(description="Nombre del archivo recibido.")
    formato: str = Field(description="Formato del archivo (csv o xlsx).")
    codificacion: str | None = Field(description="Codificación de caracteres detectada.")
    delimitador: str | None = Field(description="Delimitador de columnas (CSV).")
    layout: str = Field(description="Diseño de columnas (PUB).")
    columnas: list[str] = Field(description="Encabezados del archivo, en su orden.")
    filas_leidas: int = Field(description="Filas leídas.")
    filas_cargadas: int = Field(description="Filas cargadas.")
    filas_rechazadas: int = Field(description="Filas rechazadas.")
    folios_repetidos: int = Field(description="Folios que aparecen más de una vez.")
    iniciada_en: datetime = Field(description="Inicio de la carga.")
    terminada_en: datetime = Field(description="Fin de la carga.")
    usuario: str | None = Field(description="Quién la cargó.")
    retirada_en: datetime | None = Field(description="Cuándo se retiró (nulo si está en uso).")
    retirada_por: str | None = Field(description="Quién la retiró.")
    motivo_retiro: str | None = Field(description="Por qué se retiró.")
    rechazos_por_motivo: Conteos = Field(description="Filas rechazadas por motivo.")


class Retiro(Model):
    """Por qué se retira una carga (queda en la bitácora de auditoría)."""

    motivo: str | None = Field(
        default=None, max_length=500, description="Motivo del retiro (hasta 500 caracteres)."
    )


class CargaRetirada(Model):
    """Lo que salió del registro al retirar una carga, y la cobertura que se recalculó."""

    carga: int = Field(description="Id de la carga retirada (su archivo original se conserva).")
    programa: str = Field(description="Clave del programa.")
    registros: int = Field(description="Registros eliminados.")
    rechazos: int = Field(description="Filas rechazadas eliminadas.")
    ubicaciones: int = Field(description="Ubicaciones eliminadas.")
    asignaciones: int = Field(description="Asignaciones registro → persona eliminadas.")
    personas: int = Field(description="Personas eliminadas por no tener otro registro.")
    revisiones: int = Field(description="Pares de revisión eliminados.")
    fotos: int = Field(description="Fotos de vivienda eliminadas.")
    puntos_verificados: int = Field(description="Puntos verificados en campo eliminados.")
    cobertura_recalculada: list[str] = Field(description="Programas y periodos recalculados.")
