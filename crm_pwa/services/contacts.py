"""Contacts: find, read, add, change and erase them, within what the caller may see.

Someone else's contact is reported as not found, never as forbidden, so that
an id does not reveal that a contact exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func
from sqlalchemy import select as sql_select
from sqlmodel import Field, Session, SQLModel, col, select

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.contact_search import (
    BadCursor,
    ContactFilter,
    find_contact_ids,
    list_contacts,
)
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.push import AuditEvent
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.db.user import User
from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.due import is_overdue
from crm_pwa.domain.health import DEFAULT_MODEL
from crm_pwa.domain.input_rules import check_moment, check_text
from crm_pwa.domain.phone import PhoneError, normalise_phone
from crm_pwa.domain.search import lead_first, parse_query
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.contact_index import index_contact
from crm_pwa.services.errors import ID_TAKEN, Conflict, Invalid, NotFound
from crm_pwa.services.fields import Text
from crm_pwa.services.health import refresh_contact_health
from crm_pwa.services.timeline import EventLine, contact_events, record_edits

MAX_PAGE = 100
BAD_CURSOR = "That page cursor is not valid; start again from the first page."
NOT_FOUND = "Contact not found."


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


class HealthPublic(BaseModel):
    score: int | None
    band: str
    reasons: list[str]


class ContactPublic(BaseModel):
    id: uuid.UUID
    name: str
    company: str
    title: str
    kind: str
    tier: str
    rhythm_days: int | None
    # The rhythm in force: the override, else the tier's.
    effective_rhythm_days: int
    phone: str
    phone_digits: str
    email: str
    address: str
    tags: list[str]
    connection_notes: str
    do_not_contact: bool
    owner_id: uuid.UUID
    last_interaction_at: datetime | None
    updated_at: datetime
    created_at: datetime
    open_follow_ups: int
    health: HealthPublic

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class ContactPage(BaseModel):
    items: list[ContactPublic]
    next_cursor: str | None


class InteractionLine(BaseModel):
    id: uuid.UUID
    kind: str
    direction: str
    occurred_at: datetime
    summary: str
    sentiment: str
    author_name: str


class FollowUpLine(BaseModel):
    id: uuid.UUID
    title: str
    due_on: date
    status: str
    snooze_until: date | None
    overdue: bool


class ComplaintLine(BaseModel):
    id: uuid.UUID
    summary: str
    opened_at: datetime
    resolved_at: datetime | None
    resolution: str
    stale: bool


class OpportunityLine(BaseModel):
    id: uuid.UUID
    title: str
    stage: str
    amount: str | None
    expected_close: date | None


class ContactCard(BaseModel):
    contact: ContactPublic
    interactions: list[InteractionLine]
    open_follow_ups: list[FollowUpLine]
    complaints: list[ComplaintLine]
    opportunities: list[OpportunityLine]
    events: list[EventLine]

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def may_see(session: Session, actor: Actor, owner_id: uuid.UUID) -> bool:
    owners = visible_owner_ids(session, actor)
    return owners is None or owner_id in owners


def get_contact(*, session: Session, actor: Actor, contact_id: uuid.UUID) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or not may_see(session, actor, contact.owner_id):
        raise NotFound(NOT_FOUND)
    return contact


def to_public(session: Session, contact: Contact) -> ContactPublic:
    open_follow_ups = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .where(FollowUp.contact_id == contact.id, FollowUp.status != "done")
    ).one()
    return _public(contact.model_dump(), open_follow_ups)


_CONTACTS = Contact.__table__  # type: ignore[attr-defined]
_OPEN_FOLLOW_UPS = (
    sql_select(func.count())
    .where(FollowUp.__table__.c.contact_id == _CONTACTS.c.id)  # type: ignore[attr-defined]
    .where(FollowUp.__table__.c.status != "done")  # type: ignore[attr-defined]
    .scalar_subquery()
    .label("open_follow_ups")
)


def public_contacts(session: Session, ids: list[uuid.UUID]) -> list[ContactPublic]:
    """The contacts with these ids, in this order, as the API and the pages show them.

    One plain query for the lot, counts included: this is on the path of every
    keystroke of a search.
    """
    if not ids:
        return []
    rows = (
        session.connection()
        .execute(sql_select(_CONTACTS, _OPEN_FOLLOW_UPS).where(_CONTACTS.c.id.in_(ids)))
        .mappings()
        .all()
    )
    by_id = {row["id"]: row for row in rows}
    return [
        _public(by_id[contact_id], by_id[contact_id]["open_follow_ups"])
        for contact_id in ids
        if contact_id in by_id
    ]


def _public(contact: Mapping[Any, Any], open_follow_ups: int) -> ContactPublic:
    return ContactPublic(
        id=contact["id"],
        name=contact["name"],
        company=contact["company"],
        title=contact["title"],
        kind=contact["kind"],
        tier=contact["tier"],
        rhythm_days=contact["rhythm_days"],
        effective_rhythm_days=DEFAULT_MODEL.rhythm_days_for(
            contact["tier"], contact["rhythm_days"]
        ),
        phone=contact["phone"],
        phone_digits=contact["phone_digits"],
        email=contact["email"],
        address=contact["address"],
        tags=list(contact["tags"]),
        connection_notes=contact["connection_notes"],
        do_not_contact=contact["do_not_contact"],
        owner_id=contact["owner_id"],
        last_interaction_at=contact["last_interaction_at"],
        updated_at=contact["updated_at"],
        created_at=contact["created_at"],
        open_follow_ups=open_follow_ups,
        health=HealthPublic(
            score=contact["health_score"],
            band=contact["health_band"],
            reasons=list(contact["health_reasons"]),
        ),
    )


def search_contacts(
    *,
    session: Session,
    actor: Actor,
    q: str = "",
    kind: str | None = None,
    tier: str | None = None,
    band: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    updated_since: datetime | None = None,
) -> ContactPage:
    """Best match first when `q` is given, else by name; `cursor` continues a page."""
    try:
        check_text("q", q)
        filters = _filters(kind=kind, tier=tier, band=band, updated_since=updated_since)
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"Limit must be between 1 and {MAX_PAGE}.", "limit")
    owners = visible_owner_ids(session, actor)
    try:
        ids, next_cursor = (
            find_contact_ids(session, owners, lead_first(parse_query(q)), filters, limit, cursor)
            if q.strip()
            else list_contacts(session, owners, filters, limit, cursor)
        )
    except BadCursor as error:
        raise Invalid(BAD_CURSOR, "cursor") from error
    return ContactPage(items=public_contacts(session, ids), next_cursor=next_cursor)


def _filters(
    *, kind: str | None, tier: str | None, band: str | None, updated_since: datetime | None
) -> ContactFilter:
    if updated_since is not None and updated_since.tzinfo is None:
        raise rules.RuleError("updated_since", "Give updated_since with a time zone offset.")
    if updated_since is not None:
        check_moment("updated_since", updated_since)
    return ContactFilter(
        kind=None if kind is None else rules.clean_kind(kind),
        tier=None if tier is None else rules.clean_tier(tier),
        band=None if band is None else rules.clean_band(band),
        updated_since=updated_since,
    )


def visible_contact_ids(*, session: Session, actor: Actor) -> list[uuid.UUID]:
    """Every contact id the actor may see: the offline contact book drops the others."""
    query = select(Contact.id)
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    return list(session.exec(query.order_by(col(Contact.id))).all())


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
    *, session: Session, actor: Actor, contact_in: ContactCreate, now: datetime
) -> Contact:
    fields = _clean(contact_in.model_dump(exclude={"id", "owner_id"}))
    owner_id = contact_in.owner_id or actor.id
    if owner_id != actor.id and not (actor.sees_team and _may_own(session, actor, owner_id)):
        raise Invalid(
            "You can only add contacts for yourself or the people you manage.", "owner_id"
        )
    if contact_in.id is not None and session.get(Contact, contact_in.id) is not None:
        raise Conflict(ID_TAKEN)
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
    session.add(
        AuditEvent(
            user_id=actor.id,
            action="contact.erased",
            object_type="contact",
            object_id=str(contact_id),
            at=now,
            detail=erased,
        )
    )
    session.expunge(contact)
    session.flush()


def contact_card(
    *, session: Session, actor: Actor, contact_id: uuid.UUID, today: date
) -> ContactCard:
    """Everything to read before a meeting, newest history first."""
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    interactions = session.exec(
        select(Interaction, User.name)
        .join(User, col(User.id) == Interaction.author_id)
        .where(Interaction.contact_id == contact.id)
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id))
    ).all()
    follow_ups = session.exec(
        select(FollowUp)
        .where(FollowUp.contact_id == contact.id, FollowUp.status != "done")
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
    ).all()
    complaints = session.exec(
        select(Complaint)
        .where(Complaint.contact_id == contact.id)
        .order_by(col(Complaint.resolved_at).is_not(None), col(Complaint.opened_at).desc())
    ).all()
    opportunities = session.exec(
        select(Opportunity)
        .where(Opportunity.contact_id == contact.id)
        .order_by(col(Opportunity.updated_at).desc(), col(Opportunity.id))
    ).all()
    return ContactCard(
        contact=_public(contact.model_dump(), len(follow_ups)),
        interactions=[
            InteractionLine(
                id=item.id,
                kind=item.kind,
                direction=item.direction,
                occurred_at=item.occurred_at,
                summary=item.summary,
                sentiment=item.sentiment,
                author_name=author,
            )
            for item, author in interactions
        ],
        open_follow_ups=[
            FollowUpLine(
                id=item.id,
                title=item.title,
                due_on=item.due_on,
                status=item.status,
                snooze_until=item.snooze_until,
                overdue=is_overdue(item.status, item.due_on, item.snooze_until, today),
            )
            for item in follow_ups
        ],
        complaints=[
            ComplaintLine(
                id=item.id,
                summary=item.summary,
                opened_at=item.opened_at,
                resolved_at=item.resolved_at,
                resolution=item.resolution,
                stale=complaint_is_stale(item, today),
            )
            for item in complaints
        ],
        opportunities=[
            OpportunityLine(
                id=item.id,
                title=item.title,
                stage=item.stage,
                amount=None if item.amount is None else f"{item.amount:.2f}",
                expected_close=item.expected_close,
            )
            for item in opportunities
        ],
        events=contact_events(session, contact.id),
    )


def complaint_is_stale(complaint: Complaint, today: date) -> bool:
    """Open for longer than the grace period the health score allows."""
    if complaint.resolved_at is not None:
        return False
    return (today - complaint.opened_at.date()).days > DEFAULT_MODEL.complaint_grace_days
