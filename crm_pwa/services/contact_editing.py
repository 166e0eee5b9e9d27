"""Adding, changing and erasing a contact: the fields checked and stored one way."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel, col

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.db.user import User
from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.input_rules import check_text
from crm_pwa.domain.phone import PhoneError, normalise_phone
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.contact_duplicates import DUPLICATE, find_duplicate
from crm_pwa.services.contact_index import index_contact, lock_contact
from crm_pwa.services.contacts import get_contact, may_see
from crm_pwa.services.errors import ID_TAKEN, Conflict, Duplicate, Invalid
from crm_pwa.services.fields import Text
from crm_pwa.services.health import refresh_contact_health
from crm_pwa.services.timeline import record_edits


class ContactCreate(SQLModel):
    """A new contact; `id` lets an offline client choose it, `owner_id` a manager assign it."""

    id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    name: Text
    company: Text = ""
    title: Text = ""
    kind: Text = "customer"
    tier: Text = "medium"
    rhythm_days: int | None = None
    phone: Text = ""
    email: Text = ""
    address: Text = ""
    tags: list[Text] = Field(default_factory=list)
    connection_notes: Text = ""
    do_not_contact: bool = False


class ContactUpdate(SQLModel):
    """Only the fields sent change; `rhythm_days: null` goes back to the tier's rhythm."""

    name: Text | None = None
    company: Text | None = None
    title: Text | None = None
    kind: Text | None = None
    tier: Text | None = None
    rhythm_days: int | None = None
    phone: Text | None = None
    email: Text | None = None
    address: Text | None = None
    tags: list[Text] | None = None
    connection_notes: Text | None = None
    do_not_contact: bool | None = None


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated and normalised field values, ready to store; raises Invalid."""
    cleaned: dict[str, Any] = {}
    try:
        for field, value in changes.items():
            if value is None and field != "rhythm_days":
                raise rules.RuleError(field, f"{field.replace('_', ' ').capitalize()} is missing.")
            if field == "name":
                cleaned[field] = rules.clean_name(value)
            elif field in ("company", "title"):
                cleaned[field] = rules.clean_text(field, value, rules.MAX_SHORT_TEXT)
            elif field == "address":
                cleaned[field] = rules.clean_text(field, value, rules.MAX_ADDRESS)
            elif field == "connection_notes":
                cleaned[field] = rules.clean_notes(field, value)
            elif field == "kind":
                cleaned[field] = rules.clean_kind(value)
            elif field == "tier":
                cleaned[field] = rules.clean_tier(value)
            elif field == "rhythm_days":
                cleaned[field] = rules.clean_rhythm_days(value)
            elif field == "email":
                cleaned[field] = rules.clean_email(value)
            elif field == "tags":
                cleaned[field] = rules.clean_tags(value)
            elif field == "phone":
                cleaned["phone"], cleaned["phone_digits"] = normalise_phone(
                    check_text("phone", value)
                )
            else:
                cleaned[field] = value
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    except PhoneError as error:
        raise Invalid(str(error), "phone") from error
    return cleaned


def create_contact(
    *,
    session: Session,
    actor: Actor,
    contact_in: ContactCreate,
    now: datetime,
    allow_duplicate: bool = False,
    allow_duplicate_of: uuid.UUID | None = None,
) -> Contact:
    """Refuses (Duplicate) a person the actor already sees by e-mail or phone, unless allowed.

    `allow_duplicate_of` allows only that one contact as the duplicate: the form's
    "Save anyway" must not pass a different duplicate than the one it showed.
    """
    fields = _clean(contact_in.model_dump(exclude={"id", "owner_id"}))
    owner_id = contact_in.owner_id or actor.id
    if owner_id != actor.id and not (actor.sees_team and _may_own(session, actor, owner_id)):
        raise Invalid(
            "You can only add contacts for yourself or the people you manage.", "owner_id"
        )
    if contact_in.id is not None and session.get(Contact, contact_in.id) is not None:
        raise Conflict(ID_TAKEN)
    if not allow_duplicate:
        existing = find_duplicate(session, actor, email=fields["email"], phone=fields["phone"])
        if existing is not None and existing != allow_duplicate_of:
            raise Duplicate(DUPLICATE, existing)
    contact = Contact(
        **fields,
        owner_id=owner_id,
        created_at=now,
        updated_at=now,
    )
    if contact_in.id is not None:
        contact.id = contact_in.id
    session.add(contact)
    session.flush()
    index_contact(session, contact)
    refresh_contact_health(session, contact.id, now)
    session.flush()
    return contact


def _may_own(session: Session, actor: Actor, owner_id: uuid.UUID) -> bool:
    user = session.get(User, owner_id)
    return user is not None and user.is_active and may_see(session, actor, owner_id)


def update_contact(
    *,
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    contact_in: ContactUpdate,
    now: datetime,
) -> Contact:
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    changes = _clean(contact_in.model_dump(exclude_unset=True))
    rescore = any(
        field in changes and changes[field] != getattr(contact, field)
        for field in ("tier", "rhythm_days")
    )
    record_edits(session, actor, contact, changes, now)
    for field, value in changes.items():
        setattr(contact, field, value)
    contact.updated_at = now
    session.add(contact)
    session.flush()
    index_contact(session, contact)
    if rescore:
        refresh_contact_health(session, contact.id, now)
    session.flush()
    return contact


def delete_contact(*, session: Session, actor: Actor, contact_id: uuid.UUID, now: datetime) -> None:
    """Privacy erase: the contact, its whole history and its search terms are gone.

    The audit trail keeps that an erase happened and how much went, but nothing
    that says who the person was.
    """
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    # Before the terms go: a re-index of this contact still running would write
    # terms after their delete, and nothing else would remove them.
    lock_contact(session, contact.id)
    erased: dict[str, Any] = {"owner_id": str(contact.owner_id)}
    # Explicit deletes, children first: the erase does not depend on the database
    # enforcing ON DELETE CASCADE (SQLite only does with a pragma).
    for table in (
        FollowUp,
        Interaction,
        Complaint,
        Opportunity,
        HealthSnapshot,
        ContactSearchTerm,
        TimelineEvent,
    ):
        result = session.exec(delete(table).where(col(table.contact_id) == contact.id))
        erased[str(table.__tablename__)] = result.rowcount
    session.exec(delete(Contact).where(col(Contact.id) == contact.id))
    record_audit(
        session,
        actor_id=actor.id,
        action="contact.erased",
        object_type="contact",
        object_id=contact_id,
        at=now,
        detail=erased,
    )
    session.expunge(contact)
    session.flush()
