"""Deduplication: the duplicated-support report (aggregates) and the review queue (admin only:
its pairs carry personal data)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam

from api import errors
from api.deps import ConnDep, Desplazamiento, SettingsDep, threshold
from api.models.resolucion import Decision, DecisionRegistrada, Duplicados, ParEnRevision
from api.security import (
    AUTH_ERRORS,
    OPTIONAL_LOGIN,
    ExactFigures,
    client_address,
    require_role,
)
from geo.access.users import User, record_event
from geo.publish import figures
from geo.resolve import decide_review, review_queue

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


@router.get(
    "/duplicados",
    response_model=Duplicados,
    summary="Apoyos duplicados entre programas y dentro de cada uno",
    description="Personas que reciben de varios programas, o dos veces del mismo, en un "
    "periodo: solo conteos e importes, de la publicación; los menores a k personas, y los que "
    "permitirían deducirlos, se publican vacíos (exactos con un token de planeación o "
    "administración).",
    response_description="El informe de apoyos duplicados.",
    responses=errors.responses(401, 422, 503),
    openapi_extra=OPTIONAL_LOGIN,
)
def duplicados(
    conn: ConnDep,
    settings: SettingsDep,
    exact: ExactFigures,
    periodo: Annotated[
        str | None, Query(max_length=40, description="Periodo (por omisión, el más reciente).")
    ] = None,
) -> dict[str, object]:
    """Counts and money only, from the publication."""
    found = figures.duplicated(conn, periodo, exact=exact)
    return {"k": threshold(conn, settings), "exactas": exact, **found}


@router.get(
    "/revision",
    response_model=list[ParEnRevision],
    summary="Pares dudosos pendientes de decisión (datos personales)",
    description="La cola de revisión, los pares más probables primero. Cada registro mostrado "
    "queda en la bitácora de auditoría. Solo planeación y administración con área estatal.",
    response_description="Una página de la cola de revisión.",
    responses={**AUTH_ERRORS, **errors.responses(422, 503)},
)
def revision(
    request: Request,
    user: Reviewer,
    conn: ConnDep,
    limite: Annotated[int, Query(ge=1, le=1000, description="Pares por página.")] = 100,
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


@router.post(
    "/revision/{par}",
    response_model=DecisionRegistrada,
    summary="Decidir un par: misma o distinta persona",
    description="Guarda la decisión de quien revisa (queda en la bitácora); la siguiente "
    "resolución la aplica.",
    response_description="La decisión guardada.",
    responses={**AUTH_ERRORS, **errors.responses(404, 422, 503)},
)
def decidir(
    request: Request,
    user: Reviewer,
    conn: ConnDep,
    par: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="Id del par.")],
    body: Decision,
) -> dict[str, object]:
    """Persist the decision (by the signed-in reviewer); the next resolution run applies it."""
    decide_review(conn, par, body.decision, user.nombre)
    record_event(
        conn, user, "revision_decidir", detalle=f"par {par}: {body.decision}",
        cliente=client_address(request),
    )  # fmt: skip
    conn.commit()
    return {"par": par, "decision": body.decision}
