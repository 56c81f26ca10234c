"""Deduplication: the duplicated-support report (aggregates) and the review queue (admin only:
its pairs carry personal data)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import ConnDep
from api.routers.cargas import Admin
from geo.resolve import decide_review, duplicated_support, review_queue

router = APIRouter(tags=["resolución"])


@router.get("/duplicados", summary="Apoyos duplicados entre programas y dentro de cada uno")
def duplicados(conn: ConnDep) -> dict[str, object]:
    """Counts and money only; no person is identifiable."""
    return duplicated_support(conn).as_dict()


@router.get("/revision", summary="Pares dudosos pendientes de decisión (datos personales)")
def revision(
    _: Admin,
    conn: ConnDep,
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
    desplazamiento: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """The queue, most likely pairs first."""
    return [asdict(item) for item in review_queue(conn, limite, desplazamiento)]


class Decision(BaseModel):
    """A reviewer's verdict on a pair."""

    decision: Literal["misma", "distinta"] = Field(description="misma o distinta persona")
    usuario: str | None = Field(default=None, max_length=200)


@router.post("/revision/{par}", summary="Decidir un par: misma o distinta persona")
def decidir(_: Admin, conn: ConnDep, par: int, body: Decision) -> dict[str, object]:
    """Persist the decision; the next resolution run applies it."""
    with conn.engine.begin() as tx:
        decide_review(tx, par, body.decision, body.usuario)
    return {"par": par, "decision": body.decision}
