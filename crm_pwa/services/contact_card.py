"""The contact card: everything to read before a meeting, newest history first."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.user import User, team_currency
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import is_overdue
from crm_pwa.domain.health import DEFAULT_MODEL
from crm_pwa.services.actor import Actor
from crm_pwa.services.contacts import ContactPublic, get_contact, public_row
from crm_pwa.services.timeline import EventLine, contact_events


class InteractionLine(BaseModel):
    id: uuid.UUID
    kind: str
    direction: str
    occurred_at: datetime
    summary: str
    sentiment: str
    author_name: str

    @classmethod
    def of(cls, item: Interaction, author_name: str) -> InteractionLine:
        """One logged interaction with its author's name: the card's and the export's line."""
        return cls(
            id=item.id,
            kind=item.kind,
            direction=item.direction,
            occurred_at=item.occurred_at,
            summary=item.summary,
            sentiment=item.sentiment,
            author_name=author_name,
        )


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
    # Whose contact this is: a manager reads a rep's card, and a card can change hands.
    owner_name: str
    interactions: list[InteractionLine]
    open_follow_ups: list[FollowUpLine]
    complaints: list[ComplaintLine]
    opportunities: list[OpportunityLine]
    events: list[EventLine]
    # The ISO 4217 code the card's amounts are shown in: the owner's team's.
    currency: str

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


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
    owner = session.get(User, contact.owner_id)
    return ContactCard(
        contact=public_row(contact.model_dump(), len(follow_ups)),
        owner_name=owner.name if owner is not None else "",
        interactions=[InteractionLine.of(item, author) for item, author in interactions],
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
                stale=complaint_is_stale(item, today, actor.time_zone),
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
        currency=team_currency(session, contact.owner_id),
    )


def complaint_is_stale(complaint: Complaint, today: date, time_zone: str) -> bool:
    """Open for longer than the grace period the health score allows, in the rep's days."""
    if complaint.resolved_at is not None:
        return False
    opened_on = local_day(complaint.opened_at, time_zone)
    return (today - opened_on).days > DEFAULT_MODEL.complaint_grace_days
