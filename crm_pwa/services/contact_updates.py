"""Which contacts a note may name, and what logging a note or changing a follow-up does to them."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.note_rows import touch_contacts
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.health import refresh_all_health, refresh_contact_health

CONTACT_NOT_FOUND = "Contact not found."


def visible_contacts(
    session: Session, actor: Actor, contact_ids: Collection[uuid.UUID], *, lock: bool = False
) -> set[uuid.UUID]:
    """Those of these contacts the actor may see, in one query; the rest are "not found".

    `lock` keeps them from being erased until commit (PostgreSQL FOR KEY SHARE;
    SQLite's write lock, taken by `begin_writing`, already does).
    """
    if not contact_ids:
        return set()
    query = select(Contact.id).where(col(Contact.id).in_(list(contact_ids)))
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    if lock:
        query = query.with_for_update(read=True, key_share=True)
    return set(session.exec(query))


def refresh_touched_contacts(
    session: Session, touched: Mapping[uuid.UUID, datetime | None], now: datetime
) -> None:
    """After notes or follow-ups changed: last talked, updated_at and health, once per contact.

    `touched` maps each contact to the newest note time just stored for it
    (None when only follow-ups changed). The phone's book refreshes what changed
    since its last look by `updated_at`, and it shows last talked and follow-ups.
    """
    if not touched:
        return
    touch_contacts(session.connection(), touched, now)
    ids = sorted(touched)
    # Loaded contacts would still show the old times; reload them when next read.
    for contact_id in ids:
        loaded = session.identity_map.get(session.identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded)
    if len(ids) == 1:
        refresh_contact_health(session, ids[0], now)
    else:
        refresh_all_health(session, now, col(Contact.id).in_(ids))
