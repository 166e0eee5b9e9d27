"""The contact's diary: the services that change a contact write its entries here.

Each entry is written in the same transaction as the change it records, under a
key that names the change, so a change applied twice leaves one entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.db.user import User
from crm_pwa.domain.timeline import EDIT_EVENTS, describe
from crm_pwa.services.actor import Actor


class EventLine(BaseModel):
    id: uuid.UUID
    kind: str
    text: str
    at: datetime
    actor_name: str


def record(
    session: Session,
    actor: Actor,
    *,
    contact_id: uuid.UUID,
    kind: str,
    key: str,
    at: datetime,
    **detail: str,
) -> None:
    """Add the entry for one change, unless that change already has one."""
    seen = session.exec(
        select(TimelineEvent.id).where(
            TimelineEvent.contact_id == contact_id, TimelineEvent.key == key
        )
    ).first()
    if seen is not None:
        return
    session.add(
        TimelineEvent(
            contact_id=contact_id, actor_id=actor.id, kind=kind, key=key, at=at, detail=detail
        )
    )
    session.flush()


def record_edits(
    session: Session, actor: Actor, contact: Contact, changes: Mapping[str, Any], now: datetime
) -> None:
    """Before an edit is applied: an entry for each field of the story it changes."""
    for field, kind in EDIT_EVENTS.items():
        old, new = getattr(contact, field), changes.get(field, getattr(contact, field))
        if new == old:
            continue
        record(
            session,
            actor,
            contact_id=contact.id,
            kind=kind,
            key=f"contact:{contact.id}:{field}:{new}:{now.isoformat()}",
            at=now,
            **{"from": str(old), "to": str(new)},
        )


def contact_events(session: Session, contact_id: uuid.UUID) -> list[EventLine]:
    """The contact's entries, newest first, with who made each change."""
    rows = session.exec(
        select(TimelineEvent, User.name)
        .join(User, col(User.id) == TimelineEvent.actor_id)
        .where(TimelineEvent.contact_id == contact_id)
        .order_by(col(TimelineEvent.at).desc(), col(TimelineEvent.id))
    ).all()
    return [
        EventLine(
            id=event.id,
            kind=event.kind,
            text=describe(event.kind, event.detail),
            at=event.at,
            actor_name=name,
        )
        for event, name in rows
    ]
