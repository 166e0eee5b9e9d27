"""Handing a book over: one person's contacts, with what hangs on them, to a colleague.

Who may: an admin for anyone; a manager between two people of their own team;
never a rep. The contacts move with their open follow-ups (so reminders reach
the new owner), their opportunities and their open complaints. What already
happened stays as it was: interactions keep their author, done follow-ups and
resolved complaints their owner, so the history still says who did what.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session

from crm_pwa.db.handover import BookCounts, count_book, move_book
from crm_pwa.db.user import User
from crm_pwa.domain.handover import check_receiver, clean_book_filter
from crm_pwa.domain.rules import RuleError
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.errors import Forbidden, Invalid, NotFound
from crm_pwa.services.fields import Text

PERSON_NOT_FOUND = "No such person."
AUDIT_ACTION = "book.handed_over"


class HandoverFilter(BaseModel):
    """Leave out a field to take any value of it; an empty filter hands over the whole book."""

    tier: Text | None = None
    kind: Text | None = None
    tag: Text | None = None
    company: Text | None = None


class HandoverRequest(BaseModel):
    to: uuid.UUID
    filter: HandoverFilter = Field(default_factory=HandoverFilter)
    dry_run: bool = False


class HandoverCounts(BaseModel):
    """What moved, or with `dry_run`, what would move."""

    contacts: int
    open_follow_ups: int
    opportunities: int
    open_complaints: int
    dry_run: bool


def _person(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(PERSON_NOT_FOUND)
    return user


def _check_may(actor: Actor, giver: User, receiver: User) -> None:
    if actor.role == "admin":
        return
    if actor.role != "manager":
        raise Forbidden("Only a manager or an admin hands over a book.")
    own_team = actor.team_id is not None
    if not own_team or giver.team_id != actor.team_id or receiver.team_id != actor.team_id:
        raise Forbidden("Managers hand over books within their own team only.")


def hand_over(
    *,
    session: Session,
    actor: Actor,
    giver_id: uuid.UUID,
    request: HandoverRequest,
    now: datetime,
) -> HandoverCounts:
    """Counts, and unless `dry_run` moves, in the caller's one transaction."""
    if actor.role not in ("manager", "admin"):
        raise Forbidden("Only a manager or an admin hands over a book.")
    giver = _person(session, giver_id)
    receiver = _person(session, request.to)
    _check_may(actor, giver, receiver)
    wanted = request.filter
    try:
        check_receiver(
            giver_id=giver.id, receiver_id=receiver.id, receiver_active=receiver.is_active
        )
        narrow = clean_book_filter(
            tier=wanted.tier, kind=wanted.kind, tag=wanted.tag, company=wanted.company
        )
    except RuleError as error:
        raise Invalid(error.message, error.field) from error
    if request.dry_run:
        return _public(count_book(session, giver.id, narrow), dry_run=True)
    moved = move_book(session, giver.id, receiver.id, narrow, now)
    record_audit(
        session,
        actor_id=actor.id,
        action=AUDIT_ACTION,
        object_type="user",
        object_id=giver.id,
        at=now,
        # Counts and the filter's field names only: a tag or a company could name a person.
        detail={
            "to": str(receiver.id),
            "filter": narrow.named(),
            "contacts": moved.contacts,
            "open_follow_ups": moved.open_follow_ups,
            "opportunities": moved.opportunities,
            "open_complaints": moved.open_complaints,
        },
    )
    session.flush()
    return _public(moved, dry_run=False)


def _public(counts: BookCounts, *, dry_run: bool) -> HandoverCounts:
    return HandoverCounts(
        contacts=counts.contacts,
        open_follow_ups=counts.open_follow_ups,
        opportunities=counts.opportunities,
        open_complaints=counts.open_complaints,
        dry_run=dry_run,
    )
