"""What the invitation guard needs about the contacts an invitation's filters choose.

One query for all of them: the contact, its owner's time zone, how many
complaints are open and when it last received another invitation.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint
from crm_pwa.db.invitation import InvitationGuest
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.user import User
from crm_pwa.domain.invitation_guard import GuestFacts


@dataclass(frozen=True, slots=True)
class ContactFilter:
    kind: str | None = None
    tier: str | None = None
    band: str | None = None
    company: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    contact_id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    company: str
    email: str
    time_zone: str
    facts: GuestFacts


def load_candidates(
    session: Session,
    *,
    owners: list[uuid.UUID] | None,
    filters: ContactFilter | None,
    invitation_id: uuid.UUID,
    contact_ids: Collection[uuid.UUID] | None = None,
) -> list[Candidate]:
    """The contacts of `owners` (None: everyone's) matching `filters` (None: only
    `contact_ids`), by name; the last invitation counted is any other than `invitation_id`."""
    contacts, users = table_of(Contact).c, table_of(User).c
    complaints = table_of(Complaint).c
    guests = table_of(InvitationGuest).c
    open_complaints = (
        sa.select(sa.func.count())
        .where(complaints.contact_id == contacts.id, complaints.resolved_at.is_(None))
        .scalar_subquery()
    )
    last_invited = (
        sa.select(sa.func.max(guests.sent_at))
        .where(guests.contact_id == contacts.id, guests.invitation_id != invitation_id)
        .scalar_subquery()
    )
    query = sa.select(
        contacts.id,
        contacts.owner_id,
        contacts.name,
        contacts.company,
        contacts.email,
        contacts.tier,
        contacts.rhythm_days,
        contacts.last_interaction_at,
        contacts.do_not_contact,
        contacts.invitations_opt_out,
        contacts.tags,
        users.time_zone,
        open_complaints,
        last_invited,
    ).join(table_of(User), users.id == contacts.owner_id)
    if owners is not None:
        query = query.where(contacts.owner_id.in_(owners))
    if contact_ids is not None:
        query = query.where(contacts.id.in_(list(contact_ids)))
    if filters is not None:
        query = _filtered(query, filters)
    wanted = set(filters.tags) if filters is not None else set()
    candidates: list[Candidate] = []
    for row in session.connection().execute(query.order_by(contacts.name, contacts.id)):
        (cid, owner, name, company, email, tier, rhythm, last, dnc, opt_out, tags, zone, n, inv) = (
            row
        )
        if wanted and not wanted.intersection(tags or ()):
            continue
        facts = GuestFacts(
            tier=tier,
            rhythm_days=rhythm,
            last_contact_at=last,
            do_not_contact=dnc,
            unsubscribed=opt_out,
            has_email=bool(email.strip()),
            open_complaints=int(n or 0),
            last_invited_at=_aware(inv),
        )
        candidates.append(Candidate(cid, owner, name, company, email, zone, facts))
    return candidates


def _aware(moment: datetime | None) -> datetime | None:
    # max() over the column keeps its type on PostgreSQL; SQLite hands back a naive UTC time.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _filtered(query: sa.Select[Any], filters: ContactFilter) -> sa.Select[Any]:
    contacts = table_of(Contact).c
    if filters.kind is not None:
        query = query.where(contacts.kind == filters.kind)
    if filters.tier is not None:
        query = query.where(contacts.tier == filters.tier)
    if filters.band is not None:
        query = query.where(contacts.health_band == filters.band)
    if filters.company:
        query = query.where(sa.func.lower(contacts.company) == filters.company.lower())
    return query
