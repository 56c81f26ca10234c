"""The review queue: doubtful pairs left by resolution, and the human decisions on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from geo.ingest.tables import registro
from geo.kernel.errors import InvalidParameter, NotFound
from geo.resolve.tables import asignacion, revision

REVIEW_FIELDS = (
    "id", "programa", "periodo", "folio", "curp", "primer_ap", "segundo_ap", "nombre",
    "fecha_nacimiento", "sexo", "edo_nac", "cve_mun", "cve_loc", "nom_loc", "cp", "persona_id",
)  # fmt: skip
"""What a reviewer sees of each record of a pair (personal data: planners and admins, audited)."""

COMPARED_FIELDS: dict[str, tuple[str, ...]] = {
    "curp": ("curp",),
    "apellidos": ("primer_ap", "segundo_ap"),
    "nombre": ("nombre",),
    "fecha": ("fecha_nacimiento",),
    "sexo": ("sexo",),
    "edo_nac": ("edo_nac",),
    "lugar": ("cve_mun", "cve_loc", "nom_loc", "cp"),
}
"""The fields each comparison of ``geo.resolve.match.LEVELS`` reads, as a reviewer sees them."""

DECISIONS = ("misma", "distinta")


@dataclass(frozen=True)
class ReviewItem:
    """A pair in the review queue: a record held without a person, and its best candidate."""

    id: int
    probabilidad: float
    registro: dict[str, Any]
    candidato: dict[str, Any]
    decision: str | None
    comparaciones: list[dict[str, Any]]
    """Side by side, per comparison: ``comparacion``, the ``registro`` and ``candidato`` values
    (the fields it reads, joined), its ``nivel`` and ``peso`` (bits of evidence, + for the same
    person); empty for pairs queued before the detail was kept."""


def review_queue(conn: Connection, limit: int = 100, offset: int = 0) -> list[ReviewItem]:
    """Pairs waiting for a decision whose record still has no person, most likely first."""
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidParameter("limite debe estar entre 1 y 1000 y desplazamiento ser ≥ 0.")
    q, asg = revision, asignacion
    a, b = registro.alias("a"), registro.alias("b")
    candidate_person = asg.alias("candidato_asignado")
    held = ~select(asg.c.registro_id).where(asg.c.registro_id == a.c.id).exists()
    rows = conn.execute(
        select(
            q.c.id,
            q.c.probabilidad,
            q.c.decision,
            q.c.detalle,
            a,
            b,
            candidate_person.c.persona_id,
        )
        .join(a, a.c.id == q.c.registro_id)
        .join(b, b.c.id == q.c.candidato_id)
        .outerjoin(candidate_person, candidate_person.c.registro_id == b.c.id)
        .where(q.c.decision.is_(None) & held)
        .order_by(q.c.probabilidad.desc(), q.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    keys = registro.columns.keys()
    width = len(keys)
    items = []
    for item_id, probability_, decision, detail, *values in rows:
        first = dict(zip(keys, values[:width], strict=True)) | {"persona_id": None}
        second = dict(zip(keys, values[width : 2 * width], strict=True))
        second["persona_id"] = values[-1]
        items.append(
            ReviewItem(
                id=item_id,
                probabilidad=round(probability_, 4),
                registro={k: _plain(first[k]) for k in REVIEW_FIELDS},
                candidato={k: _plain(second[k]) for k in REVIEW_FIELDS},
                decision=decision,
                comparaciones=_side_by_side(first, second, detail),
            )
        )
    return items


def decide_review(conn: Connection, item_id: int, decision: str, usuario: str | None) -> None:
    """Record a human decision; the next ``resolve`` applies it ("misma" joins the record to the
    candidate's person, "distinta" keeps it away from that person)."""
    if decision not in DECISIONS:
        raise InvalidParameter("La decisión debe ser 'misma' o 'distinta'.")
    updated = conn.execute(
        revision.update()
        .where(revision.c.id == item_id)
        .values(decision=decision, decidida_en=func.now(), decidida_por=usuario)
    ).rowcount
    if not updated:
        raise NotFound(f"No existe el par {item_id} en la cola de revisión.")


def _side_by_side(
    first: dict[str, Any], second: dict[str, Any], detail: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if not detail:
        return []
    compared = detail.get("comparaciones", {})
    out = []
    for name, fields in COMPARED_FIELDS.items():
        level = compared.get(name, {})

        def shown(record: dict[str, Any], fields: tuple[str, ...] = fields) -> str | None:
            values = [str(_plain(record[f])) for f in fields if record[f] not in (None, "")]
            return " · ".join(values) or None

        out.append(
            {
                "comparacion": name,
                "registro": shown(first),
                "candidato": shown(second),
                "nivel": level.get("nivel"),
                "peso": level.get("peso", 0.0),
            }
        )
    return out


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value
