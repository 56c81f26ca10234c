"""Rules of operation, their violations, anomalies and the new-program simulation."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from api.models import Model
from boundaries.queries import MAX_PAGE_SIZE
from geo.coverage.rules import Target


class PoblacionObjetivo(Target):
    """A quién va dirigido un programa; cada campo es opcional (si falta, no restringe)."""

    edad_min: int | None = Field(default=None, ge=0, le=120, description="Edad mínima.")
    edad_max: int | None = Field(default=None, ge=0, le=120, description="Edad máxima.")
    sexo: str | None = Field(default=None, pattern="^[MH]$", description="M mujeres, H hombres.")
    grados: list[str] = Field(default_factory=list, description="Grados de marginación.")
    municipios: list[str] = Field(
        default_factory=list, description="Claves INEGI de municipio (5 dígitos)."
    )
    localidades: list[str] = Field(
        default_factory=list, description="Claves INEGI de localidad (9 dígitos)."
    )


class Monto(Model):
    """Lo que recibe cada beneficiario en un periodo."""

    periodo: str = Field(description="Periodo.")
    importe: Decimal = Field(description="Importe por beneficiario (texto decimal).")


class ReglasDePrograma(Model):
    """Las reglas de operación de un programa (archivo `reglas/<PROGRAMA>.yaml`)."""

    programa: str = Field(description="Clave del programa.")
    nombre: str = Field(description="Nombre del programa.")
    fuente: str = Field(description="De dónde vienen las reglas (documento, año).")
    poblacion_objetivo: PoblacionObjetivo = Field(description="Población objetivo.")
    incompatibles: list[str] = Field(description="Programas que no pueden recibirse a la vez.")
    montos: list[Monto] = Field(description="Monto por periodo.")


class Reglas(Model):
    """Las reglas cargadas y los códigos de violación."""

    programas: list[ReglasDePrograma] = Field(description="Reglas de cada programa.")
    violaciones: dict[str, str] = Field(description="Código de violación y qué significa.")


class ConteoDeViolaciones(Model):
    """Violaciones a las reglas de un programa, por regla (nulo: conteo suprimido)."""

    programa: str = Field(description="Clave del programa.")
    registros: int | None = Field(
        description="Registros revisados (solo con sesión de planeación o administración)."
    )
    registros_con_violacion: int | None = Field(description="Registros con al menos una violación.")
    por_regla: dict[str, int | None] = Field(description="Registros por código de violación.")


class Violacion(Model):
    """Un registro que viola una regla (sin nombres, CURP ni puntos)."""

    carga: int = Field(description="Id de la carga.")
    folio: str = Field(description="Folio en el padrón.")
    periodo: str | None = Field(description="Periodo.")
    regla: str = Field(description="Código de violación.")
    detalle: str | None = Field(description="Detalle de la violación.")


class ViolacionesDelPrograma(Model):
    """Los registros de un programa que violan sus reglas (una página)."""

    programa: str = Field(description="Clave del programa.")
    por_regla: dict[str, int] = Field(description="Registros por código de violación.")
    registros_con_violacion: int = Field(description="Registros con al menos una violación.")
    elementos: list[Violacion] = Field(description="Las violaciones de esta página.")


class LocalidadSobrecubierta(Model):
    """Una localidad con más beneficiarios que habitantes."""

    cvegeo: str = Field(description="Clave INEGI de la localidad.")
    nom_loc: str = Field(description="Nombre de la localidad.")
    nom_mun: str | None = Field(description="Nombre del municipio.")
    pobtot: int = Field(description="Población total, Censo 2020.")
    personas: int = Field(description="Personas beneficiarias en el periodo.")


class ApoyoDuplicado(Model):
    """Apoyos duplicados (conteos; nulo: suprimido)."""

    inscripciones_repetidas_por_programa: dict[str, int | None] = Field(
        description="Inscripciones repetidas dentro de cada programa."
    )
    personas_en_dos_programas: dict[str, int | None] = Field(
        description="Personas en ambos programas, por par `A y B`."
    )
    personas_en_varios_programas: int | None = Field(description="Personas en dos o más programas.")


class Anomalias(Model):
    """Cada anomalía de un periodo como conteo de la publicación, y las localidades
    sobrecubiertas (agregados); nulo: suprimido."""

    k: int = Field(description="Umbral de supresión.")
    exactas: bool = Field(description="Cifras exactas (sesión de planeación o administración).")
    periodo: str | None = Field(description="Periodo revisado (nulo: aún no hay publicación).")
    localidades_con_mas_beneficiarios_que_habitantes: list[LocalidadSobrecubierta] = Field(
        description="Solo las de cifra publicada."
    )
    personas_en_programas_incompatibles: dict[str, int | None] = Field(
        description="Personas en programas declarados incompatibles, por par `A y B`."
    )
    fuera_de_poblacion_objetivo: dict[str, dict[str, int | None]] = Field(
        description="Por programa: registros por regla de población objetivo violada."
    )
    apoyo_duplicado: ApoyoDuplicado = Field(description="Apoyos duplicados.")
    ubicacion_no_confiable_por_programa: dict[str, int | None] = Field(
        description="Registros con ubicación no confiable, por programa."
    )
    reglas: dict[str, str] = Field(description="Código de violación y qué significa.")


class RegistroConUbicacionNoConfiable(Model):
    """Un registro con ubicación no confiable (solo municipio, o contradice lo declarado)."""

    carga: int = Field(description="Id de la carga.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    precision: str = Field(description="Precisión de la ubicación.")
    banderas: str = Field(description="Banderas de la geocodificación, separadas por `;`.")


class RegistroEnProgramaIncompatible(Model):
    """Un registro cuya persona recibe en el mismo periodo un programa incompatible."""

    carga: int = Field(description="Id de la carga.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    tambien_en: str = Field(description="Programa y folio de la otra inscripción.")


class Simulacion(BaseModel):
    """La población objetivo de un programa nuevo y con qué programas compararla."""

    poblacion_objetivo: PoblacionObjetivo = Field(default_factory=PoblacionObjetivo)
    periodo: str | None = Field(default=None, description="Periodo (el más reciente si falta).")
    programas: list[str] | None = Field(
        default=None, description="Programas actuales a considerar (todos si falta)."
    )
    poblacion_min: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Población mínima de la localidad."
    )
    limite: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE, description="Localidades a listar.")


class LocalidadSimulada(Model):
    """Una localidad elegible para el programa nuevo."""

    cvegeo: str = Field(description="Clave INEGI de la localidad.")
    nom_loc: str = Field(description="Nombre de la localidad.")
    nom_mun: str | None = Field(description="Nombre del municipio.")
    gm: str | None = Field(description="Grado de marginación.")
    fuente_marginacion: str | None = Field(description="Fuente del grado: IML, IMU o IMM.")
    pobtot: int = Field(description="Población total, Censo 2020.")
    poblacion_objetivo: float = Field(description="Población objetivo estimada.")
    ya_atendidos: int | None = Field(
        description="Personas de la población objetivo ya atendidas (nulo: no publicado)."
    )
    sin_atender: float | None = Field(description="Población objetivo sin atender.")
    cobertura_actual: float | None = Field(description="Ya atendidos entre objetivo (fracción).")


class ResultadoDeSimulacion(Model):
    """Población objetivo por localidad y cuánta ya alcanzan los programas actuales."""

    exactas: bool = Field(description="Cálculo exacto (sesión de planeación o administración).")
    grupo: str = Field(description="Grupo de población objetivo.")
    localidades: int = Field(description="Localidades elegibles.")
    poblacion_objetivo: int = Field(description="Población objetivo en todas ellas.")
    ya_atendidos: int | None = Field(
        description="Personas de esa población ya atendidas (nulo: alguna no publicada)."
    )
    elementos: list[LocalidadSimulada] = Field(description="Localidades con más por atender.")
