"""CSV exports of the registry for analysts (personal data stays out: keys, points and flags)."""

from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy import Connection, func, select

from geo.geocode.tables import ubicacion
from geo.ingest.tables import registro
from geo.resolve.tables import asignacion

RECORD_COLUMNS = (
    "programa",
    "periodo",
    "folio",
    "persona_id",
    "cvegeo",
    "lon",
    "lat",
    "precision",
    "flags",
)


def export_records(conn: Connection, out: TextIO) -> int:
    """One row per loaded record; ``cvegeo`` is the locality (or municipality) it was placed in,
    ``flags`` the ingest and geocoding flags separated by ``;``. Returns the number of rows."""
    u, r, a = ubicacion, registro, asignacion
    query = (
        select(
            r.c.programa,
            r.c.periodo,
            r.c.folio,
            a.c.persona_id,
            func.coalesce(u.c.cvegeo_loc, u.c.cvegeo_mun),
            func.ST_X(u.c.geom),
            func.ST_Y(u.c.geom),
            u.c.precision,
            func.array_to_string(func.array_cat(r.c.banderas, u.c.banderas), ";"),
        )
        .select_from(
            r.outerjoin(a, a.c.registro_id == r.c.id).outerjoin(u, u.c.registro_id == r.c.id)
        )
        .order_by(r.c.programa, r.c.periodo, r.c.folio)
    )
    writer = csv.writer(out)
    writer.writerow(RECORD_COLUMNS)
    count = 0
    for row in conn.execution_options(stream_results=True, yield_per=50_000).execute(query):
        lon, lat = row[5], row[6]
        coordinates = [f"{v:.6f}" if v is not None else "" for v in (lon, lat)]
        writer.writerow([*row[:5], *coordinates, *row[7:]])
        count += 1
    return count
