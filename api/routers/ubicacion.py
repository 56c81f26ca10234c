"""Field check of a household's location (reference geography only: no personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ConnDep
from geo.geocode.verify import verify_point

router = APIRouter(tags=["ubicación"])


@router.get("/ubicacion/verificar", summary="Verificar un punto en campo")
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
