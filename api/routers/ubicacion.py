"""Field check of a household's location (reference geography only: no personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import errors
from api.deps import ReadPoolDep
from api.models.ubicacion import Verificacion
from geo.geocode.verify import verdict, verification_query
from geo.kernel.db import fetch_one

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
async def verificar(
    pool: ReadPoolDep,
    lon: Annotated[float, Query(description="Longitud en grados decimales (negativa en México).")],
    lat: Annotated[float, Query(description="Latitud en grados decimales.")],
    cvegeo: Annotated[
        str | None, Query(description="Lugar declarado: municipio (5 dígitos) o localidad (9).")
    ] = None,
    cercanas: Annotated[int, Query(ge=1, le=20, description="Localidades cercanas a listar.")] = 5,
) -> dict[str, Any]:
    """Municipality, containing locality polygon, nearest localities, agreement and flags: one
    statement on the event loop (``verify_point`` runs the same one on a connection)."""
    built = verification_query(lon, lat, cvegeo, cercanas)
    found = await fetch_one(pool, built.statement, built.params) if built else None
    return verdict(lon, lat, cvegeo, found)
