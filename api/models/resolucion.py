"""``GET /duplicados`` and the review queue (``GET /revision``, ``POST /revision/{par}``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.models import Model


class Duplicados(Model):
    """Apoyos duplicados: conteos e importes, sin datos personales; los conteos municipales
    menores a k personas se publican vacíos."""

    personas_por_programa: dict[str, int] = Field(description="Personas únicas por programa.")
    pares_de_programas: dict[str, int] = Field(
        description="Personas en dos programas del mismo periodo, por par `A|B`."
    )
    duplicados_en_programa: dict[str, int] = Field(
        description="Inscripciones repetidas de una persona dentro de un programa y periodo."
    )
    varios_programas_por_municipio: dict[str, int | None] = Field(
        description="Personas en más de un programa, por municipio (nulo = suprimido)."
    )
    importe_varios_programas: str = Field(
        description="Importe de las inscripciones de personas pagadas por más de un programa."
    )
    importe_repetido_en_programa: str = Field(
        description="Importe de las inscripciones repetidas dentro de un programa."
    )
    importe_involucrado: str = Field(description="Importe total de ambos tipos de duplicado.")
    registros_sin_persona: int = Field(
        description="Registros sin persona asignada (en revisión o sin datos para comparar)."
    )


class RegistroEnRevision(Model):
    """Lo que ve quien revisa de cada registro de un par (datos personales)."""

    id: int = Field(description="Id del registro.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    curp: str | None = Field(description="CURP tal como se recibió.")
    primer_ap: str | None = Field(description="Primer apellido.")
    segundo_ap: str | None = Field(description="Segundo apellido.")
    nombre: str | None = Field(description="Nombre(s).")
    fecha_nacimiento: str | None = Field(description="Fecha de nacimiento (AAAA-MM-DD).")
    sexo: str | None = Field(description="Sexo: M o H.")
    edo_nac: str | None = Field(description="Entidad de nacimiento (clave de la CURP).")
    cve_mun: str | None = Field(description="Clave INEGI del municipio declarado (3 dígitos).")
    cve_loc: str | None = Field(description="Clave INEGI de la localidad declarada (4 dígitos).")
    nom_loc: str | None = Field(description="Nombre de la localidad declarada.")
    cp: str | None = Field(description="Código postal declarado.")
    persona_id: int | None = Field(description="Persona asignada (nula si no la tiene).")


class ComparacionEnRevision(Model):
    """Una comparación del par, lado a lado: lo que dice cada registro, su nivel y su peso."""

    comparacion: Literal["curp", "apellidos", "nombre", "fecha", "sexo", "edo_nac", "lugar"] = (
        Field(description="Qué se compara.")
    )
    registro: str | None = Field(description="Los campos comparados del registro retenido.")
    candidato: str | None = Field(description="Los mismos campos del candidato.")
    nivel: str | None = Field(
        description="Nivel de semejanza (p. ej. iguales, parecidos, falta_uno); nulo si falta "
        "el dato en alguno de los dos."
    )
    peso: float = Field(
        description="Evidencia en bits: positiva a favor de que sean la misma persona."
    )


class ParEnRevision(Model):
    """Un par dudoso: un registro retenido sin persona y su mejor candidato."""

    id: int = Field(description="Id del par; se decide con `POST /revision/{par}`.")
    probabilidad: float = Field(description="Probabilidad de que sean la misma persona.")
    registro: RegistroEnRevision = Field(description="El registro retenido.")
    candidato: RegistroEnRevision = Field(description="El candidato, con su persona.")
    decision: str | None = Field(description="Decisión tomada (nula mientras está pendiente).")
    comparaciones: list[ComparacionEnRevision] = Field(
        description="Cada comparación lado a lado, con su nivel y su peso (vacía para pares "
        "encolados antes de guardarse el detalle)."
    )


class Decision(BaseModel):
    """El veredicto de quien revisa sobre un par."""

    decision: Literal["misma", "distinta"] = Field(description="misma o distinta persona")


class DecisionRegistrada(Model):
    """La decisión guardada; la aplica la siguiente resolución."""

    par: int = Field(description="Id del par.")
    decision: Literal["misma", "distinta"] = Field(description="La decisión tomada.")
