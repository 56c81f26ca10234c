"""Vector tiles (MVT) of the public map layers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api import errors
from api.deps import ConnDep
from geo.publish.tiles import LAYERS, tile

router = APIRouter(tags=["mapa"])

MVT = "application/vnd.mapbox-vector-tile"


@router.get(
    "/teselas/{capa}/{z}/{x}/{y}.pbf",
    response_class=Response,
    summary="Tesela vectorial de una capa pública",
    description="Una tesela Mapbox Vector Tile (MVT) de una capa pública del mapa: "
    f"{', '.join(LAYERS)}. Las teselas vacías responden 204, sin cuerpo, para que el mapa "
    "las omita.",
    responses={
        200: {"description": "La tesela (MVT).", "content": {MVT: {}}},
        204: {"description": "Tesela vacía: no hay nada de la capa en ella."},
        **errors.responses(422, 503),
    },
)
def teselas(
    conn: ConnDep,
    capa: Annotated[str, Path(description="Capa del mapa.")],
    z: Annotated[int, Path(ge=0, le=22, description="Nivel de zoom.")],
    x: Annotated[int, Path(ge=0, description="Columna de la tesela.")],
    y: Annotated[int, Path(ge=0, description="Fila de la tesela.")],
    periodo: Annotated[
        str | None, Query(description="Capas de cobertura: periodo (el más reciente si falta).")
    ] = None,
    programa: Annotated[
        list[str] | None, Query(description="Capas de cobertura: programas (todos si falta).")
    ] = None,
) -> Response:
    """One tile; empty tiles are 204 so the map skips them."""
    body = tile(conn, capa, z, x, y, periodo=periodo, programas=programa)
    if not body:
        return Response(status_code=204)
    return Response(body, media_type=MVT, headers={"Cache-Control": "public, max-age=3600"})
