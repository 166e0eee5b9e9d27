"""A contact as the caller may see it: the one lookup every contact feature starts from.

Someone else's contact is reported as not found, never as forbidden, so that
an id does not reveal that a contact exists. Finding contacts is in
contact_list.py, the card in contact_card.py, adding and changing them in
contact_editing.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, select

from crm_pwa.db.columns import one_of
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.domain.health import DEFAULT_MODEL
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import NotFound

NOT_FOUND = "Contact not found."


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


def may_see(session: Session, actor: Actor, owner_id: uuid.UUID) -> bool:
    owners = visible_owner_ids(session, actor)
    return owners is None or owner_id in owners


class _Owned(Protocol):
    owner_id: uuid.UUID


Row = TypeVar("Row", bound=_Owned)


def get_visible(
    session: Session, actor: Actor, model: type[Row], row_id: uuid.UUID, not_found: str
) -> Row:
    """A contact, complaint or opportunity by id, if the actor may see its owner's
    contacts; NotFound (with `not_found`) both when it is missing and when it is not theirs."""
    row = session.get(model, row_id)
    if row is None or not may_see(session, actor, row.owner_id):
        raise NotFound(not_found)
    return row


def get_contact(*, session: Session, actor: Actor, contact_id: uuid.UUID) -> Contact:
    return get_visible(session, actor, Contact, contact_id, NOT_FOUND)


def to_public(session: Session, contact: Contact) -> ContactPublic:
    open_follow_ups = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .where(FollowUp.contact_id == contact.id, FollowUp.status != "done")
    ).one()
    return public_row(contact.model_dump(), open_follow_ups)


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
        .execute(
            sql_select(_CONTACTS, _OPEN_FOLLOW_UPS).where(
                one_of(_CONTACTS.c.id, ids, session.get_bind().dialect.name)
            )
        )
        .mappings()
        .all()
    )
    by_id = {row["id"]: row for row in rows}
    return [
        public_row(by_id[contact_id], by_id[contact_id]["open_follow_ups"])
        for contact_id in ids
        if contact_id in by_id
    ]


def public_row(contact: Mapping[Any, Any], open_follow_ups: int) -> ContactPublic:
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
