"""Everything the app holds about one person, as one JSON document (a right of access).

The contact as the API shows it, every interaction with who logged it, every
follow-up (done ones too), complaint and opportunity, the timeline in words, the
weekly health history and the invitations the person was on the guest list of.
Each export is one audit entry naming the contact by id only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.contact_card import InteractionLine, OpportunityLine
from crm_pwa.services.contacts import ContactPublic, get_contact, to_public
from crm_pwa.services.timeline import EventLine, contact_events

FORMAT = "rapport-person-export/1"


class FollowUpRecord(BaseModel):
    id: uuid.UUID
    title: str
    due_on: date
    status: str
    snooze_until: date | None
    done_on: date | None
    created_at: datetime


class ComplaintRecord(BaseModel):
    id: uuid.UUID
    summary: str
    opened_at: datetime
    resolved_at: datetime | None
    resolution: str


class HealthWeek(BaseModel):
    week: str
    tier: str
    score: int | None
    band: str


class InvitationRecord(BaseModel):
    """One invitation the person was on the guest list of, and what came of it."""

    title: str
    kind: str
    starts_at: datetime | None
    status: str
    excluded_reason: str
    sent_at: datetime | None
    responded_at: datetime | None
    unsubscribed_at: datetime | None


class PersonExport(BaseModel):
    format: str
    exported_at: datetime
    contact: ContactPublic
    interactions: list[InteractionLine]
    follow_ups: list[FollowUpRecord]
    complaints: list[ComplaintRecord]
    opportunities: list[OpportunityLine]
    timeline: list[EventLine]
    health_history: list[HealthWeek]
    invitations: list[InvitationRecord]

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def export_person(
    *, session: Session, actor: Actor, contact_id: uuid.UUID, now: datetime
) -> PersonExport:
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    interactions = session.exec(
        select(Interaction, User.name)
        .join(User, col(User.id) == Interaction.author_id)
        .where(Interaction.contact_id == contact.id)
        .order_by(col(Interaction.occurred_at), col(Interaction.id))
    ).all()
    follow_ups = session.exec(
        select(FollowUp)
        .where(FollowUp.contact_id == contact.id)
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
    ).all()
    complaints = session.exec(
        select(Complaint)
        .where(Complaint.contact_id == contact.id)
        .order_by(col(Complaint.opened_at), col(Complaint.id))
    ).all()
    opportunities = session.exec(
        select(Opportunity)
        .where(Opportunity.contact_id == contact.id)
        .order_by(col(Opportunity.created_at), col(Opportunity.id))
    ).all()
    weeks = session.exec(
        select(HealthSnapshot)
        .where(HealthSnapshot.contact_id == contact.id)
        .order_by(col(HealthSnapshot.week))
    ).all()
    invited = session.exec(
        select(InvitationGuest, Invitation)
        .join(Invitation, col(Invitation.id) == InvitationGuest.invitation_id)
        .where(InvitationGuest.contact_id == contact.id)
        .order_by(col(Invitation.created_at), col(Invitation.id))
    ).all()
    export = PersonExport(
        format=FORMAT,
        exported_at=now,
        contact=to_public(session, contact),
        interactions=[InteractionLine.of(item, author) for item, author in interactions],
        follow_ups=[
            FollowUpRecord.model_validate(item, from_attributes=True) for item in follow_ups
        ],
        complaints=[
            ComplaintRecord.model_validate(item, from_attributes=True) for item in complaints
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
        timeline=list(reversed(contact_events(session, contact.id))),
        health_history=[HealthWeek.model_validate(item, from_attributes=True) for item in weeks],
        invitations=[
            InvitationRecord(
                title=invitation.title,
                kind=invitation.kind,
                starts_at=invitation.starts_at,
                status=guest.status,
                excluded_reason=guest.excluded_reason,
                sent_at=guest.sent_at,
                responded_at=guest.responded_at,
                unsubscribed_at=guest.unsubscribed_at,
            )
            for guest, invitation in invited
        ],
    )
    record_audit(
        session,
        actor_id=actor.id,
        action="contact.exported",
        object_type="contact",
        object_id=contact.id,
        at=now,
    )
    return export


def person_file_name(contact_id: uuid.UUID, day: date) -> str:
    # The id, not the name: the file name shows in download lists and sync logs.
    return f"rapport-contact-{contact_id}-{day.isoformat()}.json"
