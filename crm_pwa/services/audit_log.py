"""Reading the audit trail: the admin's page and GET /api/v1/audit, newest first.

Filtering by a person finds what they did and what was done to them. Names are
looked up when the log is read; the entries themselves hold ids only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.user import User
from crm_pwa.domain.people import may_manage_people
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Forbidden
from crm_pwa.services.people import viewer

MAX_ENTRIES = 500
NOT_ALLOWED = "Not allowed: the audit log is for admins."


@dataclass(frozen=True, slots=True)
class Entry:
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_name: str  # the person's name when the object is a person, else ""
    device: str
    detail: dict[str, Any]


def read_audit(
    *,
    session: Session,
    actor: Actor,
    person_id: uuid.UUID | None = None,
    action: str = "",
    limit: int = 200,
) -> list[Entry]:
    if not may_manage_people(viewer(actor)):
        raise Forbidden(NOT_ALLOWED)
    query = (
        select(AuditEvent)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(max(1, min(limit, MAX_ENTRIES)))
    )
    if person_id is not None:
        query = query.where(
            or_(
                col(AuditEvent.user_id) == person_id,
                (col(AuditEvent.object_type) == "user")
                & (col(AuditEvent.object_id) == str(person_id)),
            )
        )
    if action:
        query = query.where(col(AuditEvent.action) == action)
    events = session.exec(query).all()
    names = _names(session, events)
    return [
        Entry(
            event.id,
            event.at,
            event.user_id,
            names.get(str(event.user_id), ""),
            event.action,
            event.object_type,
            event.object_id,
            names.get(event.object_id, "") if event.object_type == "user" else "",
            event.device,
            dict(event.detail or {}),
        )
        for event in events
    ]


def _names(session: Session, events: Sequence[AuditEvent]) -> dict[str, str]:
    """The names of the people the entries mention, by id as text."""
    ids: set[uuid.UUID] = {event.user_id for event in events if event.user_id}
    for event in events:
        if event.object_type == "user" and event.object_id:
            try:
                ids.add(uuid.UUID(event.object_id))
            except ValueError:
                continue
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()
    return {str(user_id): name for user_id, name in rows}
