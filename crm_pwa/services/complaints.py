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
from crm_pwa.services.contacts import get_contact, may_see
from crm_pwa.services.errors import Conflict, Invalid, NotFound
from crm_pwa.services.health import refresh_contact_health
from crm_pwa.services.offline_book import card_changed

NOT_FOUND = "Complaint not found."


def log_complaint(
    *, session: Session, actor: Actor, contact_id: uuid.UUID, summary: str, now: datetime
) -> Complaint:
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    try:
        text = rules.clean_required("summary", summary, rules.MAX_NOTES)
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    complaint = Complaint(
        contact_id=contact.id, owner_id=contact.owner_id, summary=text, opened_at=now
    )
    session.add(complaint)
    session.flush()
    timeline.record(
        session,
        actor,
        contact_id=contact.id,
        kind=diary.COMPLAINT_OPENED,
        key=f"complaint:{complaint.id}:opened",
        at=now,
        title=text,
    )
    card_changed(session, contact.id, now)
    refresh_contact_health(session, contact.id, now)
    session.flush()
    return complaint


def get_complaint(*, session: Session, actor: Actor, complaint_id: uuid.UUID) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or not may_see(session, actor, complaint.owner_id):
        raise NotFound(NOT_FOUND)
    return complaint


def resolve_complaint(
    *, session: Session, actor: Actor, complaint_id: uuid.UUID, resolution: str, now: datetime
) -> Complaint:
    complaint = get_complaint(session=session, actor=actor, complaint_id=complaint_id)
    try:
        text = rules.clean_required("resolution", resolution, rules.MAX_NOTES)
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    if complaint.resolved_at is not None:
        raise Conflict("This complaint is already resolved.")
    complaint.resolved_at = now
    complaint.resolution = text
    session.add(complaint)
    session.flush()
    timeline.record(
        session,
        actor,
        contact_id=complaint.contact_id,
        kind=diary.COMPLAINT_RESOLVED,
        key=f"complaint:{complaint.id}:resolved",
        at=now,
        title=complaint.summary,
        resolution=text,
    )
    card_changed(session, complaint.contact_id, now)
    refresh_contact_health(session, complaint.contact_id, now)
    session.flush()
    return complaint
