"""The caller's follow-ups: list, change (done, snooze, reopen, reschedule) and add."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.services.errors import Invalid
from crm_pwa.services.fields import Day, Moment, Text
from crm_pwa.services.follow_ups import (
    MAX_LIST_LIMIT,
    FollowUpChange,
    FollowUpPublic,
    add_follow_up,
    change_follow_up,
    get_follow_up,
    list_follow_ups,
    reschedule_follow_up,
)
from crm_pwa.services.note_input import describe_validation_error

router = APIRouter(tags=["follow-ups"])


class FollowUpList(BaseModel):
    items: list[FollowUpPublic]


class FollowUpPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Text | None = None
    snooze_until: Day | None = None
    due_on: Day | None = None
    changed_at: Moment | None = None


class FollowUpCreate(BaseModel):
    title: Text = Field(max_length=10_000)
    due_on: Day


@router.get("/follow-ups", response_model=FollowUpList, responses=refusals(401, 422))
def follow_ups(
    session: DbSession,
    actor: CurrentActor,
    status: Annotated[Text, Query(description="open, done, snoozed or all")] = "open",
    due_before: Day | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 200,
) -> FollowUpList:
    items = list_follow_ups(
        session=session,
        actor=actor,
        status=None if status == "all" else status,
        due_before=due_before,
        limit=limit,
    )
    return FollowUpList(items=items)


@router.patch(
    "/follow-ups/{follow_up_id}",
    response_model=FollowUpPublic,
    responses=refusals(400, 401, 404, 413, 422),
)
def change(
    follow_up_id: uuid.UUID, body: FollowUpPatch, session: DbSession, actor: CurrentActor
) -> FollowUpPublic:
    """Reschedule with `due_on` (the follow-up is open again), or change `status`.

    A change older than the one stored (by `changed_at`, default now) is ignored:
    the answer is the follow-up as it stands.
    """
    now = clock.now()
    if body.due_on is not None:
        if body.status not in (None, "open") or body.snooze_until is not None:
            raise Invalid("A rescheduled follow-up is open: send due_on without a status.")
        reschedule_follow_up(
            session=session, actor=actor, follow_up_id=follow_up_id, due_on=body.due_on, now=now
        )
    elif body.status is not None:
        try:
            update = FollowUpChange(
                id=follow_up_id,
                status=body.status,
                snooze_until=body.snooze_until,
                changed_at=body.changed_at or now,
            )
        except ValidationError as error:
            raise Invalid(describe_validation_error(error)) from error
        change_follow_up(session=session, actor=actor, change=update, now=now)
    else:
        raise Invalid("Send a status or a due_on.")
    return get_follow_up(session=session, actor=actor, follow_up_id=follow_up_id)


@router.post(
    "/contacts/{contact_id}/follow-ups",
    response_model=FollowUpPublic,
    status_code=201,
    responses=refusals(400, 401, 404, 413, 422),
)
def add(
    contact_id: uuid.UUID, body: FollowUpCreate, session: DbSession, actor: CurrentActor
) -> FollowUpPublic:
    follow_up = add_follow_up(
        session=session,
        actor=actor,
        contact_id=contact_id,
        title=body.title,
        due_on=body.due_on,
        now=clock.now(),
    )
    return get_follow_up(session=session, actor=actor, follow_up_id=follow_up.id)
