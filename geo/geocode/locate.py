"""Place every loaded record in a municipality, a locality and a point, with honest precision.

The work is set-based SQL (``geo/geocode/sql/geocode.sql``) over one batch at a time; results go
to ``padron.ubicacion``, one row per record, and re-running a batch replaces its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, func, select

from geo.geocode.tables import ubicacion
from geo.ingest.tables import carga
from geo.kernel.db import run_sql_file
from geo.kernel.errors import InvalidParameter
from geo.kernel.progress import Progress, silent

PRECISIONS = (
    "croquis",
    "croquis_corregido",
    "localidad",
    "municipio",
    "sin_ubicar",
    "verificado_campo",
    "campo_impreciso",
)
"""How a record was placed: by geocoding, from most to least precise; then by field staff
(``verificado_campo``: a phone fix within the accuracy threshold, which outranks geocoding;
``campo_impreciso``: a poorer fix, which replaces only a locality's or municipality's point)."""

RURAL_RADIUS_M = 2_000
"""A croquis point agrees with a point locality (rural) within this distance of INEGI's point."""

URBAN_MARGIN_M = 300
"""A croquis point agrees with a polygon locality inside the polygon or this close to it."""


@dataclass
class GeocodeReport:
    """Counts for one or more batches."""

    cargas: list[int] = field(default_factory=list)
    registros: int = 0
    por_precision: dict[str, int] = field(default_factory=dict)
    por_bandera: dict[str, int] = field(default_factory=dict)


def geocode(
    engine: Engine,
    carga_id: int | None = None,
    cve_ent: str = "20",
    *,
    all_batches: bool = False,
    progress: Progress | None = None,
) -> GeocodeReport:
    """Geocode one batch, or every batch not geocoded yet (``all_batches`` redoes them all).

    ``progress`` is told the records of the batches done (each batch is one set-based step).
    """
    with engine.begin() as conn:
        if carga_id is not None:
            found = conn.execute(select(carga.c.retirada_en).where(carga.c.id == carga_id)).first()
            if found is None:
                raise InvalidParameter(f"No existe la carga {carga_id}.")
            if found.retirada_en is not None:
                raise InvalidParameter(f"La carga {carga_id} fue retirada: no se geocodifica.")
            pending = [carga_id]
        else:
            query = select(carga.c.id).order_by(carga.c.id)
            query = query.where(carga.c.retirada_en.is_(None))
            if not all_batches:
                done = select(ubicacion.c.carga_id).distinct()
                query = query.where(carga.c.id.not_in(done), carga.c.filas_cargadas > 0)
            pending = list(conn.execute(query).scalars())
        sizes = {
            row.id: row.filas_cargadas
            for row in conn.execute(
                select(carga.c.id, carga.c.filas_cargadas).where(carga.c.id.in_(pending))
            )
        }
    tell, total, placed = progress or silent, sum(sizes.values()), 0
    report = GeocodeReport()
    for batch in pending:
        tell("Ubicación", placed, total, "registros")
        placed += sizes[batch]
        with engine.begin() as conn:
            # Shared lock on the batch's row: a withdrawal (which locks it for update) either
            # waits for this geocoding or, once it has committed, makes this one skip the batch.
            in_use = select(carga.c.id).where(carga.c.id == batch, carga.c.retirada_en.is_(None))
            if conn.execute(in_use.with_for_update(read=True)).first() is None:
                continue
            run_sql_file(
                conn,
                "geo.geocode",
                "geocode.sql",
                carga=batch,
                cve_ent=cve_ent,
                radio_rural=RURAL_RADIUS_M,
                margen_urbano=URBAN_MARGIN_M,
            )
            # Points measured in the field outrank (or, if poor, complete) the geocoding.
            run_sql_file(conn, "geo.geocode", "verified_points.sql", carga=batch, registro_id=None)
        report.cargas.append(batch)
    if pending:
        tell("Ubicación", total, total, "registros")
    if report.cargas:
        with engine.connect() as conn:
            where = ubicacion.c.carga_id.in_(report.cargas)
            report.por_precision = dict(
                conn.execute(
                    select(ubicacion.c.precision, func.count())
                    .where(where)
                    .group_by(ubicacion.c.precision)
                ).all()
            )
            flag = func.unnest(ubicacion.c.banderas).label("bandera")
            flags = select(flag).where(where).subquery()
            report.por_bandera = dict(
                conn.execute(
                    select(flags.c.bandera, func.count())
                    .group_by(flags.c.bandera)
                    .order_by(func.count().desc())
                ).all()
            )
            report.registros = sum(report.por_precision.values())
    return report


def forget_batch(conn: Connection, carga_id: int) -> int:
    """Delete the places of a withdrawn batch's records (caller's transaction); how many."""
    return conn.execute(delete(ubicacion).where(ubicacion.c.carga_id == carga_id)).rowcount
