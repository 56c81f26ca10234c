"""Resolution's rows of a withdrawn batch: assignments, review pairs, the persons that were
only that batch's records and the CURPs that persons had only from it. Other records keep their
persons and ids."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete

from geo.kernel.db import query
from geo.resolve.tables import asignacion


@dataclass(frozen=True)
class Forgotten:
    """What resolution forgot of a batch."""

    asignaciones: int
    personas: int
    revisiones: int


def forget_batch(conn: Connection, carga_id: int) -> Forgotten:
    """Forget batch ``carga_id`` in the caller's transaction (its records still exist)."""
    conn.execute(query("geo.resolve", "lock.sql"))
    reviews = conn.execute(query("geo.resolve", "forget_reviews.sql"), {"carga_id": carga_id})
    persons = conn.execute(query("geo.resolve", "forget_persons.sql"), {"carga_id": carga_id})
    conn.execute(query("geo.resolve", "forget_curps.sql"), {"carga_id": carga_id})
    assignments = conn.execute(delete(asignacion).where(asignacion.c.carga_id == carga_id))
    return Forgotten(assignments.rowcount, persons.rowcount, reviews.rowcount)
