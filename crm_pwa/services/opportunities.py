"""Opportunities on a contact; winning one makes a prospect a customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Opportunity
from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain import timeline as diary
from crm_pwa.domain.input_rules import check_day
from crm_pwa.services import timeline
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.contacts import get_contact, get_visible
from crm_pwa.services.errors import ID_TAKEN, Conflict, Invalid
from crm_pwa.services.fields import Day, Text
from crm_pwa.services.offline_book import card_changed

NOT_FOUND = "Opportunity not found."


class OpportunityCreate(SQLModel):
    id: uuid.UUID | None = None
    title: Text
    stage: Text = "lead"
    amount: Decimal | None = None
    expected_close: Day | None = None


class OpportunityUpdate(SQLModel):
    """Only the fields sent change; `amount` and `expected_close` may be cleared with null."""

    title: Text | None = None
    stage: Text | None = None
    amount: Decimal | None = None
    expected_close: Day | None = None


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    try:
        for field, value in changes.items():
            if field == "title":
                if value is None:
                    raise rules.RuleError("title", "Enter a title.")
                cleaned[field] = rules.clean_required("title", value, rules.MAX_TITLE)
            elif field == "stage":
                if value is None:
                    raise rules.RuleError("stage", "Stage is missing.")
                cleaned[field] = rules.clean_stage(value)
            elif field == "amount":
                cleaned[field] = rules.clean_amount(value)
            elif field == "expected_close" and value is not None:
                cleaned[field] = check_day("expected_close", value)
            else:
                cleaned[field] = value
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    return cleaned


def create_opportunity(
    *,
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    opportunity_in: OpportunityCreate,
    now: datetime,
) -> Opportunity:
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    fields = _clean(opportunity_in.model_dump(exclude={"id"}))
    if opportunity_in.id is not None and session.get(Opportunity, opportunity_in.id) is not None:
        raise Conflict(ID_TAKEN)
    opportunity = Opportunity(
        **fields,
        contact_id=contact.id,
        owner_id=contact.owner_id,
        created_at=now,
        updated_at=now,
    )
    if opportunity_in.id is not None:
        opportunity.id = opportunity_in.id
    session.add(opportunity)
    session.flush()
    if opportunity.stage in ("won", "lost"):
        _record_stage(session, actor, opportunity, "", now)
    if opportunity.stage == "won":
        _win(session, actor, contact, opportunity, now)
    card_changed(session, contact.id, now)
    return opportunity


def get_opportunity(*, session: Session, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
    return get_visible(session, actor, Opportunity, opportunity_id, NOT_FOUND)


def update_opportunity(
    *,
    session: Session,
    actor: Actor,
    opportunity_id: uuid.UUID,
    opportunity_in: OpportunityUpdate,
    now: datetime,
) -> Opportunity:
    opportunity = get_opportunity(session=session, actor=actor, opportunity_id=opportunity_id)
    changes = _clean(opportunity_in.model_dump(exclude_unset=True))
    newly_won = changes.get("stage") == "won" and opportunity.stage != "won"
    old_stage = opportunity.stage
    for field, value in changes.items():
        setattr(opportunity, field, value)
    opportunity.updated_at = now
    session.add(opportunity)
    session.flush()
    _record_stage(session, actor, opportunity, old_stage, now)
    if newly_won:
        contact = get_contact(session=session, actor=actor, contact_id=opportunity.contact_id)
        _win(session, actor, contact, opportunity, now)
    card_changed(session, opportunity.contact_id, now)
    return opportunity


def _win(
    session: Session, actor: Actor, contact: Contact, opportunity: Opportunity, now: datetime
) -> None:
    """A prospect who buys is a customer; the audit trail says which deal made them one."""
    if contact.kind != "prospect":
        return
    contact.kind = "customer"
    contact.updated_at = now
    session.add(contact)
    timeline.record(
        session,
        actor,
        contact_id=contact.id,
        kind=diary.CONVERTED,
        key=f"contact:{contact.id}:converted:{opportunity.id}",
        at=now,
        title=opportunity.title,
    )
    record_audit(
        session,
        actor_id=actor.id,
        action="contact.kind_changed",
        object_type="contact",
        object_id=contact.id,
        at=now,
        detail={"from": "prospect", "to": "customer", "opportunity_id": str(opportunity.id)},
    )
    session.flush()


def _record_stage(
    session: Session, actor: Actor, opportunity: Opportunity, old_stage: str, now: datetime
) -> None:
    """A move to another stage is an entry in the contact's timeline; staying put is not."""
    kind = diary.stage_event(old_stage, opportunity.stage)
    if kind is None:
        return
    timeline.record(
        session,
        actor,
        contact_id=opportunity.contact_id,
        kind=kind,
        key=f"opportunity:{opportunity.id}:{opportunity.stage}:{now.isoformat()}",
        at=now,
        title=opportunity.title,
        **{"from": old_stage, "to": opportunity.stage},
    )
