"""Vector tiles (MVT) of the public map layers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import ConnDep
from geo.publish.tiles import tile

router = APIRouter(tags=["mapa"])

MVT = "application/vnd.mapbox-vector-tile"


@router.get(
    "/teselas/{capa}/{z}/{x}/{y}.pbf",
    response_class=Response,
    responses={200: {"content": {MVT: {}}}},
    summary="Tesela vectorial de una capa pública",
)
def teselas(
    conn: ConnDep,
    capa: str,
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
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
