"""Field check of a household's location (reference geography only: no personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import errors
from api.deps import ConnDep
from api.models.ubicacion import Verificacion
from geo.geocode.verify import verify_point

router = APIRouter(tags=["ubicación"])


@router.get(
    "/ubicacion/verificar",
    response_model=Verificacion,
    summary="Verificar un punto en campo",
    description="Municipio y polígono de localidad que contienen el punto, las localidades más "
    "cercanas y, con `cvegeo`, si el punto concuerda con el lugar declarado, con las mismas "
    "reglas y tolerancias que la geocodificación del padrón. Solo geografía de referencia.",
    response_description="El veredicto sobre el punto.",
    responses=errors.responses(422, 503),
)
def verificar(
    conn: ConnDep,
    lon: Annotated[float, Query(description="Longitud en grados decimales (negativa en México).")],
    lat: Annotated[float, Query(description="Latitud en grados decimales.")],
    cvegeo: Annotated[
        str | None, Query(description="Lugar declarado: municipio (5 dígitos) o localidad (9).")
    ] = None,
    cercanas: Annotated[int, Query(ge=1, le=20, description="Localidades cercanas a listar.")] = 5,
) -> dict[str, Any]:
    """Municipality, containing locality polygon, nearest localities, agreement and flags."""
    return verify_point(conn, lon, lat, cvegeo, cercanas)
