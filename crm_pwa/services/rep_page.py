"""One rep seen by their manager: what is at risk, what is late, what is open, and the trend.

The scores come from the team view (services/team.py), so the rep's page and
their card on Team always agree; the lists below them name the contacts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import is_overdue
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import Forbidden, NotFound
from crm_pwa.services.team import RepHealth, WeekScores, team_health

REP_NOT_FOUND = "No such rep in your team."
# A page a manager reads through, not an export: the oldest promises first.
MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class Person:
    id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class LateFollowUp:
    contact_id: uuid.UUID
    contact_name: str
    title: str
    due_on: date


@dataclass(frozen=True, slots=True)
class OpenComplaint:
    contact_id: uuid.UUID
    contact_name: str
    summary: str
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class RepPage:
    rep: RepHealth
    today: date
    overdue: tuple[LateFollowUp, ...]
    complaints: tuple[OpenComplaint, ...]
    # The rep's score week by week, oldest first: the health trend.
    history: tuple[tuple[str, float | None], ...]


def people_in_view(session: Session, actor: Actor) -> list[Person]:
    """The active people whose contacts the actor may list, by name: the owner filter's choices."""
    query = select(User.id, User.name).where(col(User.is_active))
    owners = visible_owner_ids(session, actor)
    if owners is None:
        holders = sa.select(col(Contact.owner_id)).distinct()
        query = query.where(sa.or_(col(User.role) == "rep", col(User.id).in_(holders)))
    else:
        query = query.where(col(User.id).in_(owners))
    rows = session.exec(query.order_by(col(User.name), col(User.id))).all()
    return [Person(user_id, name) for user_id, name in rows]


def _history(
    history: tuple[WeekScores, ...], rep_id: uuid.UUID
) -> tuple[tuple[str, float | None], ...]:
    return tuple((point.week, point.reps.get(rep_id)) for point in history)


def rep_page(*, session: Session, actor: Actor, rep_id: uuid.UUID, now: datetime) -> RepPage:
    """A rep of the actor's team (any rep for an admin), deactivated or not; reps are refused."""
    if not actor.sees_team:
        raise Forbidden("A rep's page is for their manager.")
    rep = session.get(User, rep_id)
    if rep is None:
        raise NotFound(REP_NOT_FOUND)
    health = team_health(
        session=session,
        actor=actor,
        now=now,
        team_id=rep.team_id if actor.role == "admin" else None,
        person_id=rep_id,
    )
    mine = next((card for card in health.reps if card.user_id == rep_id), None)
    if mine is None:
        raise NotFound(REP_NOT_FOUND)
    today = local_day(now, rep.time_zone)
    promised = session.exec(
        select(FollowUp, Contact.name)
        .join(Contact, col(Contact.id) == col(FollowUp.contact_id))
        .where(
            col(FollowUp.owner_id) == rep_id,
            col(FollowUp.status) != "done",
            col(FollowUp.due_on) < today,
        )
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
    ).all()
    overdue = [
        LateFollowUp(item.contact_id, name, item.title, item.due_on)
        for item, name in promised
        if is_overdue(item.status, item.due_on, item.snooze_until, today)
    ]
    complaints = session.exec(
        select(Complaint, Contact.name)
        .join(Contact, col(Contact.id) == col(Complaint.contact_id))
        .where(col(Complaint.owner_id) == rep_id, col(Complaint.resolved_at).is_(None))
        .order_by(col(Complaint.opened_at), col(Complaint.id))
        .limit(MAX_LISTED)
    ).all()
    return RepPage(
        rep=mine,
        today=today,
        overdue=tuple(overdue[:MAX_LISTED]),
        complaints=tuple(
            OpenComplaint(item.contact_id, name, item.summary, item.opened_at)
            for item, name in complaints
        ),
        history=_history(health.history, rep_id),
    )
