"""Follow-ups: the next steps a rep promised, done, snoozed, rescheduled and listed.

Status changes made offline arrive late and out of order; each carries the
time the rep made it, and the latest one wins (`crm_pwa.domain.sync`); a time
ahead of the server's (a fast phone clock) is stored as the server's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.interaction import FollowUp
from crm_pwa.domain import timeline as diary
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import is_overdue
from crm_pwa.domain.note_rules import (
    RuleError,
    check_due_on,
    check_status,
    clean_title,
    earliest_planned,
)
from crm_pwa.domain.sync import (
    DUPLICATE,
    UPDATED,
    FollowUpState,
    SyncStatus,
    merge_follow_up_change,
)
from crm_pwa.services import timeline
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.contact_updates import (
    CONTACT_NOT_FOUND,
    refresh_touched_contacts,
    visible_contacts,
)
from crm_pwa.services.errors import Invalid, NotFound
from crm_pwa.services.fields import AwareMoment, Day, Text

FOLLOW_UP_NOT_FOUND = "Follow-up not found."
MAX_LIST_LIMIT = 1000


class FollowUpChange(BaseModel):
    id: uuid.UUID
    status: Text
    snooze_until: Day | None = None
    changed_at: AwareMoment

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        return check_status(value)

    @model_validator(mode="after")
    def _snooze_needs_a_date(self) -> FollowUpChange:
        if self.status == "snoozed" and self.snooze_until is None:
            raise RuleError("snooze_until", "Say until when the follow-up is snoozed.")
        return self


class FollowUpPublic(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    contact_name: str
    title: str
    due_on: date
    status: str
    snooze_until: date | None
    done_on: date | None
    overdue: bool


def _as_invalid(error: RuleError) -> Invalid:
    return Invalid(error.message, field=error.field)


def _on_visible_contact(session: Session, actor: Actor) -> ColumnElement[bool]:
    """For a query joined to Contact: only follow-ups on contacts the actor may see."""
    owners = visible_owner_ids(session, actor)
    return sa.true() if owners is None else col(Contact.owner_id).in_(owners)


def _load_for_change(session: Session, actor: Actor, follow_up_id: uuid.UUID) -> FollowUp:
    """The follow-up, locked until commit so concurrent changes are judged one after another."""
    query = (
        select(FollowUp)
        .join(Contact, col(Contact.id) == FollowUp.contact_id)
        .where(FollowUp.id == follow_up_id, _on_visible_contact(session, actor))
        .with_for_update(of=FollowUp)
    )
    follow_up = session.exec(query.execution_options(populate_existing=True)).first()
    if follow_up is None:
        raise NotFound(FOLLOW_UP_NOT_FOUND)
    return follow_up


def apply_change(
    session: Session, actor: Actor, change: FollowUpChange, now: datetime
) -> tuple[SyncStatus, uuid.UUID]:
    """Merge one change into its follow-up without refreshing health: (status, contact id)."""
    follow_up = _load_for_change(session, actor, change.id)
    try:
        merged = merge_follow_up_change(
            FollowUpState(
                follow_up.status, follow_up.snooze_until, follow_up.done_on, follow_up.changed_at
            ),
            status=change.status,
            snooze_until=change.snooze_until,
            changed_at=change.changed_at,
            # A phone clock up to a day fast must not date a change after today.
            changed_on=local_day(min(change.changed_at, now), actor.time_zone),
            now=now,
        )
    except RuleError as error:
        raise _as_invalid(error) from error
    if merged is None:
        return DUPLICATE, follow_up.contact_id
    follow_up.status = merged.status
    follow_up.snooze_until = merged.snooze_until
    follow_up.done_on = merged.done_on
    follow_up.changed_at = merged.changed_at
    session.add(follow_up)
    session.flush()
    timeline.record(
        session,
        actor,
        contact_id=follow_up.contact_id,
        kind=diary.follow_up_event(merged.status),
        key=f"follow_up:{follow_up.id}:{merged.status}:{merged.changed_at.isoformat()}",
        at=merged.changed_at,
        title=follow_up.title,
        until=merged.snooze_until.isoformat() if merged.snooze_until else "",
    )
    return UPDATED, follow_up.contact_id


def change_follow_up(
    *, session: Session, actor: Actor, change: FollowUpChange, now: datetime
) -> str:
    """Mark done, snooze or reopen: "updated", or "duplicate" when a newer change is stored."""
    begin_writing(session)
    status, contact_id = apply_change(session, actor, change, now)
    if status == UPDATED:
        refresh_touched_contacts(session, {contact_id: None}, now)
    return status


def reschedule_follow_up(
    *, session: Session, actor: Actor, follow_up_id: uuid.UUID, due_on: date, now: datetime
) -> FollowUp:
    """Move a follow-up to a new day; it is open again, whatever it was."""
    today = local_day(now, actor.time_zone)
    try:
        check_due_on(due_on, earliest=earliest_planned(today), today=today)
    except RuleError as error:
        raise _as_invalid(error) from error
    begin_writing(session)
    follow_up = _load_for_change(session, actor, follow_up_id)
    follow_up.due_on = due_on
    follow_up.status = "open"
    follow_up.snooze_until = None
    follow_up.done_on = None
    # Newer than whatever is stored, even a change from a phone whose clock runs ahead.
    follow_up.changed_at = max(now, follow_up.changed_at + timedelta(microseconds=1))
    session.add(follow_up)
    session.flush()
    refresh_touched_contacts(session, {follow_up.contact_id: None}, now)
    return follow_up


def add_follow_up(
    *,
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    title: str,
    due_on: date,
    now: datetime,
) -> FollowUp:
    """Plan a next step for a contact without logging a note."""
    if contact_id not in visible_contacts(session, actor, [contact_id]):
        raise NotFound(CONTACT_NOT_FOUND)
    today = local_day(now, actor.time_zone)
    try:
        clean = clean_title(title)
        check_due_on(due_on, earliest=earliest_planned(today), today=today)
    except RuleError as error:
        raise _as_invalid(error) from error
    begin_writing(session)
    follow_up = FollowUp(
        contact_id=contact_id,
        owner_id=actor.id,
        title=clean,
        due_on=due_on,
        status="open",
        changed_at=now,
        created_at=now,
    )
    session.add(follow_up)
    session.flush()
    refresh_touched_contacts(session, {contact_id: None}, now)
    return follow_up


def _public(follow_up: FollowUp, contact_name: str, today: date) -> FollowUpPublic:
    return FollowUpPublic(
        id=follow_up.id,
        contact_id=follow_up.contact_id,
        contact_name=contact_name,
        title=follow_up.title,
        due_on=follow_up.due_on,
        status=follow_up.status,
        snooze_until=follow_up.snooze_until,
        done_on=follow_up.done_on,
        overdue=is_overdue(follow_up.status, follow_up.due_on, follow_up.snooze_until, today),
    )


def get_follow_up(*, session: Session, actor: Actor, follow_up_id: uuid.UUID) -> FollowUpPublic:
    """One follow-up on a contact the actor may see, as the API and pages show it."""
    query = (
        select(FollowUp, Contact.name)
        .join(Contact, col(Contact.id) == FollowUp.contact_id)
        .where(FollowUp.id == follow_up_id, _on_visible_contact(session, actor))
    )
    row = session.exec(query).first()
    if row is None:
        raise NotFound(FOLLOW_UP_NOT_FOUND)
    follow_up, name = row
    return _public(follow_up, name, local_day(clock.now(), actor.time_zone))


def list_follow_ups(
    *,
    session: Session,
    actor: Actor,
    status: str | None = "open",
    due_before: date | None = None,
    limit: int = 200,
) -> list[FollowUpPublic]:
    """The actor's own follow-ups, soonest due first; `status` None lists every status."""
    if status is not None:
        try:
            check_status(status)
        except RuleError as error:
            raise _as_invalid(error) from error
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIST_LIMIT}.", field="limit")
    query = (
        select(FollowUp, Contact.name)
        .join(Contact, col(Contact.id) == FollowUp.contact_id)
        .where(FollowUp.owner_id == actor.id, _on_visible_contact(session, actor))
    )
    if status is not None:
        query = query.where(FollowUp.status == status)
    if due_before is not None:
        query = query.where(FollowUp.due_on < due_before)
    query = query.order_by(col(FollowUp.due_on), col(FollowUp.created_at), col(FollowUp.id))
    today = local_day(clock.now(), actor.time_zone)
    return [_public(follow_up, name, today) for follow_up, name in session.exec(query.limit(limit))]
