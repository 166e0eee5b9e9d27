"""POST /api/v1/users/{id}/handover: move a person's book, or preview the move."""

from __future__ import annotations

from fastapi import APIRouter

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.path_ids import path_id
from crm_pwa.api.refusals import refusals
from crm_pwa.services.handover import PERSON_NOT_FOUND, HandoverCounts, HandoverRequest, hand_over

router = APIRouter(tags=["people"])


@router.post(
    "/users/{user_id}/handover",
    response_model=HandoverCounts,
    responses=refusals(400, 401, 403, 404, 413, 422),
)
def handover(
    user_id: str, body: HandoverRequest, session: DbSession, actor: CurrentActor
) -> HandoverCounts:
    """Hands `user_id`'s contacts (all, or those the filter picks) to `to`, with their open
    follow-ups, opportunities and open complaints, in one transaction. With `dry_run` it
    only counts. Admins: anyone; managers: within their own team; reps: 403."""
    return hand_over(
        session=session,
        actor=actor,
        giver_id=path_id(user_id, PERSON_NOT_FOUND),
        request=body,
        now=clock.now(),
    )
