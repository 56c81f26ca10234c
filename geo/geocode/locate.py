"""Place every loaded record in a municipality, a locality and a point, with honest precision.

The work is set-based SQL (``geo/geocode/sql/geocode.sql``) over one batch at a time; results go
to ``padron.ubicacion``, one row per record, and re-running a batch replaces its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from geo.geocode.tables import ubicacion
from geo.ingest.tables import carga
from geo.kernel.db import run_sql_file
from geo.kernel.errors import InvalidParameter

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
    engine: Engine, carga_id: int | None = None, cve_ent: str = "20", *, all_batches: bool = False
) -> GeocodeReport:
    """Geocode one batch, or every batch not geocoded yet (``all_batches`` redoes them all)."""
    with engine.begin() as conn:
        if carga_id is not None:
            if conn.execute(select(carga.c.id).where(carga.c.id == carga_id)).first() is None:
                raise InvalidParameter(f"No existe la carga {carga_id}.")
            pending = [carga_id]
        else:
            query = select(carga.c.id).order_by(carga.c.id)
            if not all_batches:
                done = select(ubicacion.c.carga_id).distinct()
                query = query.where(carga.c.id.not_in(done), carga.c.filas_cargadas > 0)
            pending = list(conn.execute(query).scalars())
    report = GeocodeReport()
    for batch in pending:
        with engine.begin() as conn:
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
