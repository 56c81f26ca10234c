"""Field staff, planning and admins: search, beneficiary record, verified point, photos.

These answers carry personal data; they are served only to authorised users in their area.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.models import Model


class Punto(BaseModel):
    """Una posición tomada por el teléfono en campo (grados decimales WGS84) con su precisión."""

    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180, description="Longitud (negativa en México).")
    lat: float = Field(ge=-90, le=90, description="Latitud.")
    precision_m: float = Field(
        gt=0,
        le=1_000_000,
        description="Radio de precisión que informa el teléfono, en metros "
        "(`coords.accuracy`). Si pasa del umbral configurado (30 m por omisión) el punto se "
        "guarda como `campo_impreciso`, no como verificado.",
    )
    medido_en: AwareDatetime | None = Field(
        default=None,
        description="Cuándo tomó el teléfono la posición (puntos guardados sin conexión y "
        "enviados después); hasta 3 días atrás. Sin ella, ahora.",
    )


class Busqueda(BaseModel):
    """Qué buscar: un folio, una CURP o un nombre (solo uno), opcionalmente en una localidad.

    Va en el cuerpo de la petición para que lo buscado no quede en las bitácoras del servidor.
    """

    model_config = ConfigDict(extra="forbid")

    folio: str | None = Field(default=None, max_length=60, description="Folio del programa.")
    curp: str | None = Field(default=None, max_length=18, description="CURP (18 caracteres).")
    nombre: str | None = Field(
        default=None,
        max_length=120,
        description="Nombre y apellidos (al menos dos palabras, sin importar acentos ni "
        "mayúsculas; `MA.` vale por MARÍA); cada palabra debe estar en el nombre o los "
        "apellidos del registro.",
    )
    localidad: str | None = Field(
        default=None,
        min_length=9,
        max_length=9,
        description="Clave INEGI de 9 dígitos de la localidad donde buscar.",
    )


class Coincidencia(Model):
    """Un registro que coincide con el folio, la CURP o el nombre buscados."""

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
    """La posición guardada: su precisión, si pasó a ser la ubicación del registro y cuánto se
    movió respecto de la ubicación anterior."""

    registro_id: int = Field(description="Id del registro.")
    precision: Literal["verificado_campo", "campo_impreciso"] = Field(
        description="`verificado_campo` si la precisión está dentro del umbral; "
        "`campo_impreciso` si no."
    )
    precision_m: float = Field(description="Radio de precisión del teléfono, en metros.")
    umbral_m: float = Field(description="Umbral de precisión para un punto verificado (m).")
    es_ubicacion: bool = Field(
        description="Si pasó a ser la ubicación del registro: un punto impreciso no reemplaza "
        "el punto del propio domicilio (croquis) ni uno verificado."
    )
    distancia_m: float | None = Field(
        description="Metros entre la ubicación anterior del registro y este punto."
    )
    cvegeo_mun: str = Field(description="Municipio que contiene el punto.")
    cvegeo_loc: str | None = Field(description="Localidad del registro tras guardar el punto.")
    lon: float = Field(description="Longitud.")
    lat: float = Field(description="Latitud.")
    medido_en: datetime | None = Field(description="Cuándo se tomó, si el teléfono lo dijo.")


class MunicipioDelArea(Model):
    """Un municipio del área del usuario."""

    cvegeo: str = Field(description="Clave INEGI del municipio (5 dígitos).")
    nom_mun: str = Field(description="Nombre del municipio.")


class LocalidadDelArea(Model):
    """Una localidad con registros ubicados en ella, para elegir el plan de visita."""

    cvegeo: str = Field(description="Clave INEGI de la localidad (9 dígitos).")
    nom_loc: str = Field(description="Nombre de la localidad.")
    pobtot: int | None = Field(description="Población total, Censo 2020.")
    registros: int = Field(description="Registros ubicados en la localidad.")


class Visita(Model):
    """Un domicilio del plan de visita, con lo que la visita necesita."""

    registro_id: int = Field(description="Id del registro.")
    carga_id: int = Field(description="Carga de la que viene.")
    programa: str = Field(description="Clave del programa.")
    periodo: str | None = Field(description="Periodo.")
    folio: str = Field(description="Folio en el padrón.")
    curp: str | None = Field(description="CURP tal como se recibió.")
    nombre: str | None = Field(description="Nombre(s).")
    primer_ap: str | None = Field(description="Primer apellido.")
    segundo_ap: str | None = Field(description="Segundo apellido.")
    fecha_nacimiento: date | None = Field(description="Fecha de nacimiento.")
    sexo: str | None = Field(description="Sexo: M o H.")
    tipovial: str | None = Field(description="Tipo de vialidad del domicilio.")
    nomvial: str | None = Field(description="Nombre de la vialidad.")
    numext: str | None = Field(description="Número exterior.")
    numint: str | None = Field(description="Número interior.")
    tipoasen: str | None = Field(description="Tipo de asentamiento.")
    nomasen: str | None = Field(description="Nombre del asentamiento.")
    cp: str | None = Field(description="Código postal.")
    descrubic: str | None = Field(description="Referencias para llegar al domicilio.")
    cvegeo_loc: str = Field(description="Localidad donde quedó ubicado.")
    nom_loc: str = Field(description="Nombre de esa localidad.")
    precision: str = Field(description="Precisión de la ubicación.")
    lon: float | None = Field(description="Longitud del punto del registro.")
    lat: float | None = Field(description="Latitud del punto del registro.")


class PlanDeVisita(Model):
    """Los domicilios de las localidades elegidas, para trabajar sin conexión un día."""

    localidades: list[str] = Field(description="Las localidades pedidas.")
    generado_en: datetime = Field(description="Cuándo se generó.")
    vigente_hasta: datetime = Field(
        description="Hasta cuándo puede guardarlo el teléfono (una jornada, configurable)."
    )
    registros: list[Visita] = Field(description="Los domicilios, por localidad y apellidos.")


class IconoDelManifiesto(Model):
    """Un icono de la aplicación instalable."""

    src: str = Field(description="Ruta del icono.")
    sizes: str = Field(description="Tamaño en píxeles (`192x192`).")
    type: str = Field(description="Tipo de imagen.")
    purpose: str = Field(description="Uso del icono (`any`, `maskable`).")


class Manifiesto(Model):
    """Manifiesto de aplicación web de la página de campo (para instalarla en el teléfono)."""

    name: str = Field(description="Nombre de la aplicación.")
    short_name: str = Field(description="Nombre corto (bajo el icono).")
    description: str = Field(description="Descripción.")
    lang: str = Field(description="Idioma.")
    id: str = Field(description="Identidad de la aplicación.")
    start_url: str = Field(description="Página de inicio.")
    scope: str = Field(description="Páginas que abarca.")
    display: str = Field(description="Modo de presentación.")
    orientation: str = Field(description="Orientación preferida.")
    background_color: str = Field(description="Color de fondo al abrir.")
    theme_color: str = Field(description="Color de la barra.")
    icons: list[IconoDelManifiesto] = Field(description="Iconos.")


class FotoSubida(Model):
    """La foto guardada."""

    foto: int = Field(description="Id de la foto.")
    tipo: str = Field(description="Tipo reconocido por su contenido: image/jpeg o image/png.")
    bytes: int = Field(description="Tamaño en bytes.")
