"""Field staff, planning and admins: search, beneficiary record, verified point, photos.

These answers carry personal data; they are served only to authorised users in their area.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from api.models import Model


class Punto(BaseModel):
    """Un punto medido en campo (grados decimales WGS84)."""

    lon: float = Field(ge=-180, le=180, description="Longitud (negativa en México).")
    lat: float = Field(ge=-90, le=90, description="Latitud.")


class Coincidencia(Model):
    """Un registro que coincide con el folio o la CURP buscados."""

    registro_id: int = Field(
        description="Id del registro; su ficha está en `/campo/registros/{id}`."
    )
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    curp: str | None = Field(description="CURP tal como se recibió.")
    nombre: str | None = Field(description="Nombre(s).")
    primer_ap: str | None = Field(description="Primer apellido.")
    segundo_ap: str | None = Field(description="Segundo apellido.")
    nom_mun: str | None = Field(description="Municipio declarado.")
    nom_loc: str | None = Field(description="Localidad declarada.")


class Inscripcion(Model):
    """Una inscripción de la persona en un programa (dentro del área del usuario)."""

    registro_id: int = Field(description="Id del registro.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    fecha_alta: date | None = Field(description="Fecha de alta en el programa.")
    importe: Decimal | None = Field(description="Importe del apoyo (texto decimal).")


class PagoDelPeriodo(Model):
    """Lo pagado a la persona en un periodo, en total y por programa."""

    periodo: str = Field(description="Periodo (`sin periodo` si el padrón no lo indica).")
    importe: Decimal = Field(description="Importe total del periodo (texto decimal).")
    por_programa: dict[str, Decimal] = Field(description="Importe por programa (texto decimal).")


class FotoDeLaFicha(Model):
    """Una foto de la vivienda; la imagen está en `/campo/registros/{id}/fotos/{foto}`."""

    id: int = Field(description="Id de la foto.")
    tipo: str = Field(description="Tipo de imagen: image/jpeg o image/png.")
    bytes: int = Field(description="Tamaño en bytes.")
    subida_por: str = Field(description="Quién la subió.")
    subida_en: datetime | None = Field(description="Cuándo se subió.")


class Ficha(Model):
    """La ficha de un beneficiario: datos personales, ubicación, inscripciones, pagos y fotos."""

    registro_id: int = Field(description="Id del registro.")
    carga_id: int = Field(description="Carga de la que viene.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    curp: str | None = Field(description="CURP tal como se recibió.")
    curp_valida: bool = Field(description="La CURP tiene forma y dígito verificador válidos.")
    primer_ap: str | None = Field(description="Primer apellido.")
    segundo_ap: str | None = Field(description="Segundo apellido.")
    nombre: str | None = Field(description="Nombre(s).")
    fecha_nacimiento: date | None = Field(description="Fecha de nacimiento.")
    sexo: str | None = Field(description="Sexo: M o H.")
    fecha_alta: date | None = Field(description="Fecha de alta en el programa.")
    importe: Decimal | None = Field(description="Importe del apoyo (texto decimal).")
    tipovial: str | None = Field(description="Tipo de vialidad del domicilio.")
    nomvial: str | None = Field(description="Nombre de la vialidad.")
    numext: str | None = Field(description="Número exterior.")
    numint: str | None = Field(description="Número interior.")
    tipoasen: str | None = Field(description="Tipo de asentamiento.")
    nomasen: str | None = Field(description="Nombre del asentamiento.")
    cp: str | None = Field(description="Código postal.")
    descrubic: str | None = Field(description="Referencias para llegar al domicilio.")
    cve_ent: str | None = Field(description="Clave de entidad declarada.")
    cve_mun: str | None = Field(description="Clave de municipio declarada (3 dígitos).")
    cve_loc: str | None = Field(description="Clave de localidad declarada (4 dígitos).")
    nom_mun: str | None = Field(description="Municipio declarado.")
    nom_loc: str | None = Field(description="Localidad declarada.")
    banderas_registro: list[str] = Field(description="Banderas de calidad del registro.")
    persona_id: int | None = Field(description="Persona asignada por la resolución.")
    precision: str | None = Field(description="Precisión de la ubicación (`croquis`, …).")
    confianza: float | None = Field(description="Confianza de la ubicación, de 0 a 1.")
    banderas_ubicacion: list[str] | None = Field(description="Banderas de la geocodificación.")
    cvegeo_mun: str | None = Field(description="Municipio donde quedó ubicado.")
    cvegeo_loc: str | None = Field(description="Localidad donde quedó ubicado.")
    lon: float | None = Field(description="Longitud del punto del registro.")
    lat: float | None = Field(description="Latitud del punto del registro.")
    localidad_ubicada: str | None = Field(description="Nombre de la localidad donde quedó.")
    lon_localidad_declarada: float | None = Field(
        description="Longitud del punto de INEGI de la localidad declarada."
    )
    lat_localidad_declarada: float | None = Field(
        description="Latitud del punto de INEGI de la localidad declarada."
    )
    localidad_declarada: str | None = Field(description="Nombre INEGI de la localidad declarada.")
    programas: list[str] = Field(description="Programas de la persona en el área.")
    inscripciones: list[Inscripcion] = Field(description="Sus inscripciones en el área.")
    pagos_por_periodo: list[PagoDelPeriodo] = Field(description="Lo pagado, por periodo.")
    fotos: list[FotoDeLaFicha] = Field(description="Fotos de la vivienda.")


class PuntoVerificado(Model):
    """El punto medido, ya como ubicación del registro (precisión `verificado_campo`)."""

    registro_id: int = Field(description="Id del registro.")
    precision: str = Field(description="Siempre `verificado_campo`.")
    cvegeo_mun: str = Field(description="Municipio que contiene el punto.")
    cvegeo_loc: str | None = Field(description="Polígono de localidad que contiene el punto.")
    lon: float = Field(description="Longitud.")
    lat: float = Field(description="Latitud.")


class FotoSubida(Model):
    """La foto guardada."""

    foto: int = Field(description="Id de la foto.")
    tipo: str = Field(description="Tipo reconocido por su contenido: image/jpeg o image/png.")
    bytes: int = Field(description="Tamaño en bytes.")
