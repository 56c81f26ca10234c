"""``POST /cargas/{carga_id}/retiro`` and ``GET /cobertura/periodo``."""

from __future__ import annotations

from pydantic import Field

from api.models import Model


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
