"""Keeps each contact's stored health in step with what happened: load the facts
(crm_pwa/db/health_facts.py), score them (crm_pwa/domain/health.py), store what changed
(crm_pwa/db/health_scores.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from crm_pwa.db.contact import Contact
from crm_pwa.db.health_facts import ContactKey, iter_facts, load_facts_for
from crm_pwa.db.health_scores import same_health, stored_health, write_health
from crm_pwa.domain.days import latest_day, local_day
from crm_pwa.domain.health import Health, score_relationship


def store_health(contact: Contact, health: Health) -> None:
    contact.health_score = health.score
    contact.health_band = health.band
    contact.health_reasons = list(health.reasons)


def refresh_contact_health(session: Session, contact_id: uuid.UUID, now: datetime) -> Health:
    """Recompute one contact's score (as of its owner's today) after what feeds it changed."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(f"contact {contact_id} does not exist")
    key, facts = load_facts_for(session, [contact_id], latest_day(now))[contact_id]
    health = score_relationship(facts, local_day(now, key.time_zone))
    store_health(contact, health)
    session.add(contact)
    return health


def refresh_all_health(
    session: Session,
    now: datetime,
    where: ColumnElement[bool] | None = None,
    *,
    after_batch: Callable[[], None] | None = None,
) -> int:
    """Rescore every contact matching `where` (all when None) as of its owner's today at `now`.

    Returns how many stored scores changed; unchanged rows are not written.
    `after_batch` runs after each batch is written: the daily job commits
    there, so a long run never holds SQLite's write lock for long.
    """
    changed = 0
    todays: dict[str, date] = {}
    for batch in iter_facts(session, latest_day(now), where):
        # Batches come in id order: with no `where`, one range holds a batch's scores.
        stored = stored_health(session, [key for key, _ in batch], by_range=where is None)
        updates: dict[ContactKey, Health] = {}
        for key, facts in batch:
            today = todays.get(key.time_zone)
            if today is None:
                today = todays[key.time_zone] = local_day(now, key.time_zone)
            health = score_relationship(facts, today)
            if not same_health(stored.get(key.ref), health):
                updates[key] = health
        write_health(session, updates)
        changed += len(updates)
        if after_batch is not None:
            after_batch()
    return changed


def refresh_owner_health(session: Session, owner_ids: list[uuid.UUID], now: datetime) -> int:
    """Recompute every contact of these owners; returns how many stored scores changed."""
    return refresh_all_health(session, now, col(Contact.owner_id).in_(owner_ids))
