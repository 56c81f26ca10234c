"""Health check, including the database and the loaded reference data."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ConnDep
from api.models.salud import Salud
from boundaries.queries import health

router = APIRouter(tags=["salud"])


@router.get(
    "/salud",
    response_model=Salud,
    summary="Estado del servicio y de la base de datos",
    description="Responde 200 si la base de datos contesta y tiene la geografía de referencia "
    "(con las versiones y los conteos cargados), y 503 con `estado: degradado` si no.",
    response_description="El servicio y la base de datos funcionan.",
    responses={
        503: {"model": Salud, "description": "La base de datos no responde o no tiene el esquema."}
    },
)
def salud(conn: ConnDep) -> Salud | JSONResponse:
    """Answer 200 when the database responds and holds the schema, 503 otherwise."""
    try:
        found = health(conn)
    except SQLAlchemyError:
        body = Salud(estado="degradado", base_de_datos="sin conexión o sin esquema")
        return JSONResponse(body.model_dump(), status_code=503)
    return Salud(
        estado="ok",
        base_de_datos="ok",
        postgis=found.postgis,
        municipios=found.municipios,
        localidades=found.localidades,
    )
