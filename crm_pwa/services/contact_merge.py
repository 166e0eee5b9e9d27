"""Merging two contacts that are the same person: one keeps everything of both.

The other contact's history moves over (its owner's work becomes the kept
contact owner's, as if it had been logged there), empty fields are filled from
it, and one note on the timeline says what was merged.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.contact_index import index_contact, lock_contact
from crm_pwa.services.contacts import get_contact
from crm_pwa.services.errors import Invalid
from crm_pwa.services.health import refresh_contact_health

_FILLED_FROM_OTHER = ("company", "title", "phone", "phone_digits", "email", "address")


def merge_contacts(
    *, session: Session, actor: Actor, contact_id: uuid.UUID, other_id: uuid.UUID, now: datetime
) -> Contact:
    """Moves everything of `other_id` onto `contact_id` and erases `other_id`; both must be seen."""
    if contact_id == other_id:
        raise Invalid("A contact cannot be merged with itself.", "other_id")
    keep = get_contact(session=session, actor=actor, contact_id=contact_id)
    other = get_contact(session=session, actor=actor, contact_id=other_id)
    # The merged-away contact's terms are deleted below: no re-index of it may run
    # meanwhile (services/contact_index.py). In id order, so two merges of the
    # same pair wait for each other instead of deadlocking.
    for locked in sorted((keep.id, other.id)):
        lock_contact(session, locked)
    moved = _move_history(session, keep, other.id)
    _fill_fields(keep, other)
    summary = (
        f"Merged {other.name} into this contact: {moved['interaction']} notes, "
        f"{moved['followup']} follow-ups, {moved['complaint']} complaints and "
        f"{moved['opportunity']} opportunities moved here."
    )
    session.exec(delete(ContactSearchTerm).where(col(ContactSearchTerm.contact_id) == other.id))
    session.exec(delete(Contact).where(col(Contact.id) == other.id))
    # The offline book drops the merged-away contact from phones (services/offline_book.py).
    record_audit(
        session,
        actor_id=actor.id,
        action="contact.merged",
        object_type="contact",
        object_id=other.id,
        at=now,
        detail={"owner_id": str(other.owner_id), "into": str(keep.id)},
    )
    session.expunge(other)
    session.add(
        Interaction(
            contact_id=keep.id,
            author_id=actor.id,
            kind="note",
            occurred_at=now,
            summary=summary,
            created_at=now,
        )
    )
    keep.updated_at = now
    session.add(keep)
    session.flush()
    index_contact(session, keep)
    refresh_contact_health(session, keep.id, now)
    session.flush()
    return keep


def _move_history(session: Session, keep: Contact, other_id: uuid.UUID) -> dict[str, int]:
    moved: dict[str, int] = {}
    session.flush()
    for table in (Interaction, FollowUp, Complaint, Opportunity):
        values: dict[str, Any] = {"contact_id": keep.id}
        if table is not Interaction:
            values["owner_id"] = keep.owner_id
        result = session.exec(
            update(table).where(col(table.contact_id) == other_id).values(**values)
        )
        moved[str(table.__tablename__)] = result.rowcount
    # The other's diary comes along: its keys name their own changes, so none collide.
    session.exec(
        update(TimelineEvent)
        .where(col(TimelineEvent.contact_id) == other_id)
        .values(contact_id=keep.id)
    )
    # One snapshot per contact and week: the other's weeks the kept one lacks move over.
    kept_weeks = select(HealthSnapshot.week).where(HealthSnapshot.contact_id == keep.id)
    session.exec(
        update(HealthSnapshot)
        .where(col(HealthSnapshot.contact_id) == other_id)
        .where(col(HealthSnapshot.week).not_in(kept_weeks))
        .values(contact_id=keep.id, owner_id=keep.owner_id)
    )
    session.exec(delete(HealthSnapshot).where(col(HealthSnapshot.contact_id) == other_id))
    return moved


def _fill_fields(keep: Contact, other: Contact) -> None:
    """The fuller of both: empty fields taken from the other, tags and notes of both kept."""
    for field in _FILLED_FROM_OTHER:
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))
    seen = {tag.lower() for tag in keep.tags}
    keep.tags = [*keep.tags, *(tag for tag in other.tags if tag.lower() not in seen)]
    if other.connection_notes and other.connection_notes not in keep.connection_notes:
        keep.connection_notes = "\n\n".join(
            part for part in (keep.connection_notes, other.connection_notes) if part
        )
    if other.last_interaction_at is not None and (
        keep.last_interaction_at is None or other.last_interaction_at > keep.last_interaction_at
    ):
        keep.last_interaction_at = other.last_interaction_at
    keep.do_not_contact = keep.do_not_contact or other.do_not_contact
    keep.invitations_opt_out = keep.invitations_opt_out or other.invitations_opt_out
