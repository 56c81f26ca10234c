"""Deduplication: the duplicated-support report (aggregates) and the review queue (admin only:
its pairs carry personal data)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.deps import ConnDep, Desplazamiento, SettingsDep
from api.security import client_address, require_role
from geo.access.users import User, record_event
from geo.publish.transparency import published_duplicated_support
from geo.resolve import decide_review, duplicated_support, review_queue

router = APIRouter(tags=["resolución"])


def _statewide_reviewer(
    user: Annotated[User, Depends(require_role("planeacion", "admin"))],
) -> User:
    """Pairs cross municipalities, so the queue is for reviewers whose area is the whole state."""
    if user.municipios is not None:
        raise HTTPException(
            403, "La cola de revisión abarca todo el estado; su usuario tiene un área restringida."
        )
    return user


Reviewer = Annotated[User, Depends(_statewide_reviewer)]
"""Reviewing pairs shows personal data of both records: planners and admins, audited."""


@router.get("/duplicados", summary="Apoyos duplicados entre programas y dentro de cada uno")
def duplicados(conn: ConnDep, settings: SettingsDep) -> dict[str, object]:
    """Counts and money only; municipal counts under k persons are suppressed."""
    return published_duplicated_support(duplicated_support(conn), settings.k_anonimato)


@router.get("/revision", summary="Pares dudosos pendientes de decisión (datos personales)")
def revision(
    request: Request,
    user: Reviewer,
    conn: ConnDep,
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
    desplazamiento: Desplazamiento = 0,
) -> list[dict[str, Any]]:
    """The queue, most likely pairs first; each record shown is a read in the audit log."""
    items = review_queue(conn, limite, desplazamiento)
    shown = {r["id"] for item in items for r in (item.registro, item.candidato)}
    for registro_id in sorted(shown):
        record_event(
            conn,
            user,
            "revision_ver",
            registro_id=int(registro_id),
            cliente=client_address(request),
        )
    conn.commit()
    return [asdict(item) for item in items]


class Decision(BaseModel):
    """A reviewer's verdict on a pair."""

    decision: Literal["misma", "distinta"] = Field(description="misma o distinta persona")


@router.post("/revision/{par}", summary="Decidir un par: misma o distinta persona")
def decidir(
    request: Request, user: Reviewer, conn: ConnDep, par: int, body: Decision
) -> dict[str, object]:
    """Persist the decision (by the signed-in reviewer); the next resolution run applies it."""
    decide_review(conn, par, body.decision, user.nombre)
    record_event(
        conn, user, "revision_decidir", detalle=f"par {par}: {body.decision}",
        cliente=client_address(request),
    )  # fmt: skip
    conn.commit()
    return {"par": par, "decision": body.decision}
