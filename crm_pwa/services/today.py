"""Today: the rep's own screen of what is overdue, due, lapsed and waiting.

It is personal for every role: a manager sees their own follow-ups and
contacts here, and the team's on the team page.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import due_state
from crm_pwa.domain.rhythm import RhythmFacts, reach_out
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_card import complaint_is_stale
from crm_pwa.services.contact_list import has_contacts

REACH_OUT_LIMIT = 10


class TodayFollowUp(BaseModel):
    id: uuid.UUID
    title: str
    due_on: date
    status: str
    snooze_until: date | None
    contact_id: uuid.UUID
    contact_name: str


class ReachOut(BaseModel):
    id: uuid.UUID
    name: str
    company: str
    tier: str
    days_since_last: int
    never_contacted: bool


class StaleComplaint(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    contact_name: str
    summary: str
    days_open: int


class TodayView(BaseModel):
    overdue: list[TodayFollowUp]
    due_today: list[TodayFollowUp]
    reach_out: list[ReachOut]
    stale_complaints: list[StaleComplaint]
    # A brand-new rep has nobody to reach out to yet: Today offers the import.
    book_empty: bool = False

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def today_view(*, session: Session, actor: Actor, today: date) -> TodayView:
    overdue, due_today = _follow_ups(session, actor, today)
    return TodayView(
        overdue=overdue,
        due_today=due_today,
        reach_out=_reach_out(session, actor, today),
        stale_complaints=_stale_complaints(session, actor, today),
        book_empty=not has_contacts(session=session, actor=actor),
    )


def _follow_ups(
    session: Session, actor: Actor, today: date
) -> tuple[list[TodayFollowUp], list[TodayFollowUp]]:
    rows = session.exec(
        select(FollowUp, Contact.name)
        .join(Contact, col(Contact.id) == FollowUp.contact_id)
        .where(FollowUp.owner_id == actor.id, FollowUp.status != "done")
        .where(FollowUp.due_on <= today)
        .order_by(col(FollowUp.due_on), col(Contact.name), col(FollowUp.id))
    ).all()
    overdue: list[TodayFollowUp] = []
    due_today: list[TodayFollowUp] = []
    for follow_up, contact_name in rows:
        state = due_state(follow_up.status, follow_up.due_on, follow_up.snooze_until, today)
        if state not in ("overdue", "due_today"):
            continue
        line = TodayFollowUp(
            id=follow_up.id,
            title=follow_up.title,
            due_on=follow_up.due_on,
            status=follow_up.status,
            snooze_until=follow_up.snooze_until,
            contact_id=follow_up.contact_id,
            contact_name=contact_name,
        )
        (overdue if state == "overdue" else due_today).append(line)
    return overdue, due_today


def _reach_out(session: Session, actor: Actor, today: date) -> list[ReachOut]:
    contacts = {
        str(contact.id): contact
        for contact in session.exec(
            select(Contact)
            .where(Contact.owner_id == actor.id, col(Contact.do_not_contact).is_(False))
            .order_by(col(Contact.name), col(Contact.id))
        ).all()
    }
    lapsed = reach_out(
        (
            RhythmFacts(
                key=key,
                tier=contact.tier,
                rhythm_days=contact.rhythm_days,
                last_interaction_on=(
                    local_day(contact.last_interaction_at, actor.time_zone)
                    if contact.last_interaction_at
                    else None
                ),
                added_on=local_day(contact.created_at, actor.time_zone),
            )
            for key, contact in contacts.items()
        ),
        today,
        REACH_OUT_LIMIT,
    )
    return [
        ReachOut(
            id=contacts[hit.key].id,
            name=contacts[hit.key].name,
            company=contacts[hit.key].company,
            tier=hit.tier,
            days_since_last=hit.days_since_last,
            never_contacted=hit.never_contacted,
        )
        for hit in lapsed
    ]


def _stale_complaints(session: Session, actor: Actor, today: date) -> list[StaleComplaint]:
    rows = session.exec(
        select(Complaint, Contact.name)
        .join(Contact, col(Contact.id) == Complaint.contact_id)
        .where(Contact.owner_id == actor.id, col(Complaint.resolved_at).is_(None))
        .order_by(col(Complaint.opened_at), col(Complaint.id))
    ).all()
    return [
        StaleComplaint(
            id=complaint.id,
            contact_id=complaint.contact_id,
            contact_name=contact_name,
            summary=complaint.summary,
            days_open=(today - local_day(complaint.opened_at, actor.time_zone)).days,
        )
        for complaint, contact_name in rows
        if complaint_is_stale(complaint, today, actor.time_zone)
    ]
