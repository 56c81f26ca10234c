"""``GET /duplicados`` and the review queue (``GET /revision``, ``POST /revision/{par}``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.models import Model


class Duplicados(Model):
    """Apoyos duplicados en un periodo: conteos e importes de la publicación, sin datos
    personales; las cifras menores a k personas, y las que permitirían deducirlas, son nulas."""

    k: int = Field(description="Umbral de supresión.")
    exactas: bool = Field(description="Cifras exactas (sesión de planeación o administración).")
    periodo: str | None = Field(description="Periodo (el más reciente si no se pidió).")
    personas_por_programa: dict[str, int | None] = Field(
        description="Personas únicas por programa en el estado."
    )
    pares_de_programas: dict[str, int | None] = Field(
        description="Personas en ambos programas del par `A|B`."
    )
    personas_en_varios_programas: int | None = Field(description="Personas en dos o más programas.")
    importe_varios_programas: str | None = Field(
        description="Importe pagado a las personas de dos o más programas."
    )
    varios_programas_por_municipio: dict[str, int | None] = Field(
        description="Personas en dos o más programas, por municipio (los municipios sin "
        "ninguna se omiten)."
    )
    duplicados_en_programa: dict[str, int | None] = Field(
        description="Inscripciones repetidas de una persona dentro de cada programa."
    )
    importe_repetido_en_programa: dict[str, str | None] = Field(
        description="Importe de esas inscripciones repetidas, por programa."
    )
    registros_retenidos: int | None = Field(
        description="Registros del periodo retenidos sin persona, en espera de revisión (cada "
        "uno cuenta como una persona)."
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
