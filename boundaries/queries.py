"""Read queries over the reference geography: municipalities and localities with marginality."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from boundaries.tables import GRADES, localidad, marginacion_mejor, marginacion_municipal, municipio
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter

MAX_PAGE_SIZE = 1000
_MUN_KEY = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Page:
    """One page of results and the total that matched."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Health:
    """What the health check reports of the database."""

    postgis: str
    municipios: int
    localidades: int


def health(conn: Connection) -> Health:
    """The PostGIS version and the reference data loaded; raises SQLAlchemy's error when the
    database does not answer or lacks the schema."""
    postgis = conn.execute(query("boundaries", "postgis_version.sql")).scalar_one()
    municipios, localidades = conn.execute(query("boundaries", "reference_counts.sql")).one()
    return Health(postgis=postgis, municipios=municipios, localidades=localidades)


def parse_grades(values: Sequence[str] | None) -> list[str] | None:
    """Normalise grade names ("muy alto" → "Muy alto"); list the valid ones on error."""
    if not values:
        return None
    by_key = {g.upper(): g for g in GRADES}
    grades = []
    for value in values:
        for part in value.split(","):
            key = " ".join(part.upper().replace("_", " ").split())
            if key not in by_key:
                raise InvalidParameter(
                    f"Grado de marginación desconocido: {part!r}. Válidos: {', '.join(GRADES)}."
                )
            grades.append(by_key[key])
    return grades


def list_municipios(
    conn: Connection,
    *,
    cvegeo: str | None = None,
    grados: Sequence[str] | None = None,
    region: str | None = None,
    distrito: str | None = None,
    limit: int = 100,
    offset: int = 0,
    geometry: bool = False,
    tolerance: float = 0.001,
) -> Page:
    """Municipalities with their newest CONAPO index (IMM), district and region."""
    _check_page(limit, offset)
    if cvegeo is not None and not _MUN_KEY.match(cvegeo):
        raise InvalidParameter(
            f"Clave de municipio no válida: {cvegeo!r}; use 5 dígitos, p. ej. 20067."
        )
    if not 0 <= tolerance <= 0.1:
        raise InvalidParameter("La tolerancia de simplificación debe estar entre 0 y 0.1 grados.")
    newest = select(func.max(marginacion_municipal.c.anio)).scalar_subquery()
    imm = marginacion_municipal.alias("imm")
    columns: list[Any] = [
        municipio.c.cvegeo,
        municipio.c.nom_mun,
        municipio.c.distrito,
        municipio.c.region,
        municipio.c.pob_2020,
        imm.c.anio.label("anio_marginacion"),
        imm.c.gm,
        imm.c.im,
    ]
    if geometry:
        columns.append(
            func.ST_AsGeoJSON(
                func.ST_Multi(func.ST_SimplifyPreserveTopology(municipio.c.geom, tolerance)), 6
            ).label("geometry")
        )
    query = select(*columns).select_from(
        municipio.outerjoin(imm, (imm.c.cvegeo == municipio.c.cvegeo) & (imm.c.anio == newest))
    )
    if cvegeo:
        query = query.where(municipio.c.cvegeo == cvegeo)
    if grades := parse_grades(grados):
        query = query.where(imm.c.gm.in_(grades))
    if region:
        query = query.where(func.lower(municipio.c.region) == region.lower())
    if distrito:
        query = query.where(func.lower(municipio.c.distrito) == distrito.lower())
    return _page(conn, query.order_by(municipio.c.cvegeo), limit, offset)


def list_localidades(
    conn: Connection,
    *,
    municipio_cvegeo: str | None = None,
    grados: Sequence[str] | None = None,
    poblacion_min: int | None = None,
    fuente: str | None = None,
    limit: int = 100,
    offset: int = 0,
    geometry: bool = False,
) -> Page:
    """Localities (ITER 2020) with census population and best available marginality."""
    _check_page(limit, offset)
    if municipio_cvegeo is not None and not _MUN_KEY.match(municipio_cvegeo):
        raise InvalidParameter(
            f"Clave de municipio no válida: {municipio_cvegeo!r}; use 5 dígitos, p. ej. 20067."
        )
    if poblacion_min is not None and poblacion_min < 0:
        raise InvalidParameter("La población mínima no puede ser negativa.")
    if fuente is not None and fuente.upper() not in {"IML", "IMU", "IMM"}:
        raise InvalidParameter(f"Fuente desconocida: {fuente!r}. Válidas: IML, IMU, IMM.")
    columns: list[Any] = [
        localidad.c.cvegeo,
        localidad.c.nom_loc,
        localidad.c.cvegeo_mun,
        municipio.c.nom_mun,
        localidad.c.pobtot,
        localidad.c.pobfem,
        localidad.c.pobmas,
        localidad.c.altitud,
        localidad.c.fuera_de_municipio,
        marginacion_mejor.c.gm,
        marginacion_mejor.c.im,
        marginacion_mejor.c.fuente.label("fuente_marginacion"),
        marginacion_mejor.c.anio.label("anio_marginacion"),
        func.ST_X(localidad.c.geom).label("lon"),
        func.ST_Y(localidad.c.geom).label("lat"),
    ]
    if geometry:
        columns.append(func.ST_AsGeoJSON(localidad.c.geom, 6).label("geometry"))
    query = select(*columns).select_from(
        localidad.join(municipio, municipio.c.cvegeo == localidad.c.cvegeo_mun).outerjoin(
            marginacion_mejor, marginacion_mejor.c.cvegeo == localidad.c.cvegeo
        )
    )
    if municipio_cvegeo:
        query = query.where(localidad.c.cvegeo_mun == municipio_cvegeo)
    if grades := parse_grades(grados):
        query = query.where(marginacion_mejor.c.gm.in_(grades))
    if poblacion_min is not None:
        query = query.where(localidad.c.pobtot >= poblacion_min)
    if fuente:
        query = query.where(marginacion_mejor.c.fuente == fuente.upper())
    return _page(conn, query.order_by(localidad.c.cvegeo), limit, offset)


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidParameter(f"El límite debe estar entre 1 y {MAX_PAGE_SIZE}.")
    if offset < 0:
        raise InvalidParameter("El desplazamiento (offset) no puede ser negativo.")


def _page(conn: Connection, query: Select[Any], limit: int, offset: int) -> Page:
    total = conn.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = conn.execute(query.limit(limit).offset(offset)).mappings().all()
    items = []
    for row in rows:
        item = dict(row)
        if "geometry" in item:
            item["geometry"] = json.loads(item["geometry"])
        items.append(item)
    return Page(items=items, total=int(total), limit=limit, offset=offset)
