"""Health check, including the database and the loaded reference data."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ConnDep
from boundaries.queries import health

router = APIRouter(tags=["salud"])


class Salud(BaseModel):
    """Service status."""

    estado: str
    base_de_datos: str
    postgis: str | None = None
    municipios: int | None = None
    localidades: int | None = None


@router.get("/salud", response_model=Salud, summary="Estado del servicio y de la base de datos")
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
