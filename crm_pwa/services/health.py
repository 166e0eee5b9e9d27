"""Keeps each contact's stored health in step with what happened."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.domain.health import (
    ComplaintFact,
    FollowUpFact,
    Health,
    InteractionFact,
    RelationshipFacts,
    score_relationship,
)


def load_facts(session: Session, contact: Contact) -> RelationshipFacts:
    interactions = session.exec(
        select(Interaction.occurred_at, Interaction.sentiment).where(
            Interaction.contact_id == contact.id
        )
    ).all()
    follow_ups = session.exec(
        select(
            col(FollowUp.due_on),
            col(FollowUp.status),
            col(FollowUp.done_on),
            col(FollowUp.snooze_until),
        ).where(FollowUp.contact_id == contact.id)
    ).all()
    complaints = session.exec(
        select(Complaint.opened_at, Complaint.resolved_at).where(Complaint.contact_id == contact.id)
    ).all()
    return RelationshipFacts(
        tier=contact.tier,
        rhythm_days=contact.rhythm_days,
        interactions=[InteractionFact(at.date(), sentiment) for at, sentiment in interactions],
        follow_ups=[FollowUpFact(*row) for row in follow_ups],
        complaints=[
            ComplaintFact(opened.date(), resolved.date() if resolved else None)
            for opened, resolved in complaints
        ],
    )


def store_health(contact: Contact, health: Health) -> None:
    contact.health_score = health.score
    contact.health_band = health.band
    contact.health_reasons = list(health.reasons)


def refresh_contact_health(session: Session, contact_id: uuid.UUID, today: date) -> Health:
    """Recompute one contact's score after anything that feeds it changed."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(f"contact {contact_id} does not exist")
    health = score_relationship(load_facts(session, contact), today)
    store_health(contact, health)
    session.add(contact)
    return health


def refresh_owner_health(session: Session, owner_ids: list[uuid.UUID], today: date) -> int:
    """Recompute every contact of these owners; returns how many were scored."""
    contacts = session.exec(select(Contact).where(col(Contact.owner_id).in_(owner_ids))).all()
    for contact in contacts:
        store_health(contact, score_relationship(load_facts(session, contact), today))
        session.add(contact)
    return len(contacts)
