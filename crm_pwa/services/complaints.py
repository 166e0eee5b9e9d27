"""Complaints: logged from the card, resolved with a resolution; both move the health score."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from crm_pwa.db.interaction import Complaint
from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain import timeline as diary
from crm_pwa.services import timeline
from crm_pwa.services.actor import Actor
from crm_pwa.services.contacts import get_contact, get_visible
from crm_pwa.services.errors import Conflict, Invalid
from crm_pwa.services.health import refresh_contact_health
from crm_pwa.services.offline_book import card_changed

NOT_FOUND = "Complaint not found."


def log_complaint(
    *, session: Session, actor: Actor, contact_id: uuid.UUID, summary: str, now: datetime
) -> Complaint:
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    text = _cleaned("summary", summary)
    complaint = Complaint(
        contact_id=contact.id, owner_id=contact.owner_id, summary=text, opened_at=now
    )
    _saved(session, actor, complaint, diary.COMPLAINT_OPENED, now)
    return complaint


def get_complaint(*, session: Session, actor: Actor, complaint_id: uuid.UUID) -> Complaint:
    return get_visible(session, actor, Complaint, complaint_id, NOT_FOUND)


def resolve_complaint(
    *, session: Session, actor: Actor, complaint_id: uuid.UUID, resolution: str, now: datetime
) -> Complaint:
    complaint = get_complaint(session=session, actor=actor, complaint_id=complaint_id)
    text = _cleaned("resolution", resolution)
    if complaint.resolved_at is not None:
        raise Conflict("This complaint is already resolved.")
    complaint.resolved_at = now
    complaint.resolution = text
    _saved(session, actor, complaint, diary.COMPLAINT_RESOLVED, now, resolution=text)
    return complaint


def _cleaned(field: str, text: str) -> str:
    try:
        return rules.clean_required(field, text, rules.MAX_NOTES)
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error


def _saved(
    session: Session, actor: Actor, complaint: Complaint, kind: str, now: datetime, **detail: str
) -> None:
    """Stores an opened or resolved complaint: its timeline entry, once, and the new health."""
    session.add(complaint)
    session.flush()
    # Keyed "complaint:<id>:opened" / ":resolved": each step has one entry at most.
    timeline.record(
        session,
        actor,
        contact_id=complaint.contact_id,
        kind=kind,
        key=f"complaint:{complaint.id}:{kind.removeprefix('complaint_')}",
        at=now,
        title=complaint.summary,
        **detail,
    )
    card_changed(session, complaint.contact_id, now)
    refresh_contact_health(session, complaint.contact_id, now)
    session.flush()
