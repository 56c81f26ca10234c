"""A batch's own rows taken back: its records and rejects go, its ``carga`` row is marked.

The row and the file as received (``padron.carga_archivo``) stay, so what was withdrawn, by
whom and why can be shown, and ``padron export original`` still returns the file. The batch's
partition is emptied with DELETE rather than dropped: dropping a partition locks the whole of
``padron.registro`` until the withdrawal commits (coverage is refreshed in the same transaction),
while the DELETE locks only the batch's own rows. The steps after ingest forget their rows of the
batch first (:func:`geo.pipeline.withdraw_batch` runs them all in one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update

from geo.ingest import tables as t
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter, NotFound


@dataclass(frozen=True)
class BatchToWithdraw:
    """The batch, locked for the rest of the transaction."""

    carga_id: int
    programa: str
    periodo: str | None


def lock_batch(conn: Connection, carga_id: int) -> BatchToWithdraw:
    """Lock a batch in use against concurrent geocoding and any ingest."""
    row = conn.execute(
        select(t.carga.c.programa, t.carga.c.periodo, t.carga.c.retirada_en)
        .where(t.carga.c.id == carga_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"No existe la carga {carga_id}.")
    if row.retirada_en is not None:
        raise InvalidParameter(
            f"La carga {carga_id} ya fue retirada el {row.retirada_en:%Y-%m-%d}."
        )
    conn.execute(query("geo.ingest", "lock_ingest.sql"))
    return BatchToWithdraw(carga_id, row.programa, row.periodo)


def withdraw_rows(
    conn: Connection, carga_id: int, usuario: str, motivo: str | None
) -> tuple[int, int]:
    """Delete the batch's records and rejects and mark it withdrawn; returns both counts."""
    records = conn.execute(delete(t.registro).where(t.registro.c.carga_id == carga_id)).rowcount
    rejects = conn.execute(delete(t.rechazo).where(t.rechazo.c.carga_id == carga_id)).rowcount
    conn.execute(
        update(t.carga)
        .where(t.carga.c.id == carga_id)
        .values(retirada_en=datetime.now(UTC), retirada_por=usuario, motivo_retiro=motivo)
    )
    return records, rejects
