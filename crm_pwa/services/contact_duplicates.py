"""Duplicates: the same person added twice, found by e-mail or phone among what the caller sees.

Phones are compared in their stored E.164 form, so "(415) 555-1004" finds
"+14155551004"; e-mails ignoring case. Contacts the caller cannot see are never
matched, so the answer reveals nothing about them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.services.actor import Actor, visible_owner_ids

DUPLICATE = "You already have a contact with this e-mail or phone."


def find_duplicate(session: Session, actor: Actor, *, email: str, phone: str) -> uuid.UUID | None:
    """The oldest visible contact sharing this (cleaned) e-mail or E.164 phone, if any."""
    matches = []
    if email:
        matches.append(func.lower(col(Contact.email)) == email.lower())
    if phone:
        matches.append(col(Contact.phone) == phone)
    if not matches:
        return None
    query = select(Contact.id).where(or_(*matches))
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    return session.exec(query.order_by(col(Contact.created_at), col(Contact.id)).limit(1)).first()
