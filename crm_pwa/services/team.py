"""Relationship health of a rep and of a team: scores, trends and what is at risk.

The current week comes from each contact's stored score, kept current by
services/health.py; earlier weeks come from the weekly snapshots.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import and_, func, not_, or_
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.health_facts import load_facts_for
from crm_pwa.db.interaction import Complaint, FollowUp
from crm_pwa.db.user import User
from crm_pwa.domain.days import day_end, local_day
from crm_pwa.domain.health import DEFAULT_MODEL, Band, Trend, band_for, score_relationship, trend
from crm_pwa.domain.rounding import whole
from crm_pwa.domain.scores import weighted_mean
from crm_pwa.domain.week import iso_week, previous_weeks
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Forbidden
from crm_pwa.services.snapshot import snapshot_as_of

HISTORY_WEEKS = 12


@dataclass(frozen=True, slots=True)
class RepSummary:
    """The "your relationships" card: a rep's own score, trend and how many are at risk."""

    score: float | None
    band: Band
    trend: Trend
    at_risk: int
    scored: int


@dataclass(frozen=True, slots=True)
class AtRiskContact:
    contact_id: uuid.UUID
    name: str
    score: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RepHealth:
    user_id: uuid.UUID
    name: str
    score: float | None
    band: Band
    trend: Trend
    overdue_follow_ups: int
    open_complaints: int
    at_risk: tuple[AtRiskContact, ...]


@dataclass(frozen=True, slots=True)
class TeamScore:
    score: float | None
    band: Band
    trend: Trend


@dataclass(frozen=True, slots=True)
class WeekScores:
    """One point of the chart: the team's and each rep's score in a week (None: unscored)."""

    week: str
    team: float | None
    reps: dict[uuid.UUID, float | None]


@dataclass(frozen=True, slots=True)
class TeamHealth:
    week: str
    team: TeamScore
    reps: tuple[RepHealth, ...]
    # The last HISTORY_WEEKS weeks up to and including `week`, oldest first.
    history: tuple[WeekScores, ...]


class _Means:
    """Per-owner, per-tier score sums, combined into a rep's or a team's mean."""

    def __init__(self) -> None:
        self._groups: dict[uuid.UUID, list[tuple[str, float, int]]] = defaultdict(list)

    def add(self, owner_id: uuid.UUID, tier: str, total: float, count: int) -> None:
        self._groups[owner_id].append((tier, total, count))

    def mean(self, owner_ids: Iterable[uuid.UUID]) -> float | None:
        return weighted_mean(
            group for owner_id in owner_ids for group in self._groups.get(owner_id, ())
        )


def _band(score: float | None) -> Band:
    return band_for(None if score is None else whole(score))


def _current_means(session: Session, owner_ids: Sequence[uuid.UUID]) -> _Means:
    means = _Means()
    rows = session.exec(
        select(
            Contact.owner_id,
            Contact.tier,
            func.sum(Contact.health_score),
            func.count(col(Contact.health_score)),
        )
        .where(col(Contact.owner_id).in_(owner_ids))
        .group_by(col(Contact.owner_id), col(Contact.tier))
    ).all()
    for owner_id, tier, total, count in rows:
        means.add(owner_id, tier, float(total or 0), count)
    return means


def _snapshot_means(
    session: Session, owner_ids: Sequence[uuid.UUID], weeks: Sequence[str]
) -> dict[str, _Means]:
    by_week: dict[str, _Means] = {week: _Means() for week in weeks}
    if not weeks:
        return by_week
    rows = session.execute(
        sa.select(
            col(HealthSnapshot.week),
            col(HealthSnapshot.owner_id),
            col(HealthSnapshot.tier),
            func.sum(HealthSnapshot.score),
            func.count(col(HealthSnapshot.score)),
        )
        .where(col(HealthSnapshot.owner_id).in_(owner_ids), col(HealthSnapshot.week).in_(weeks))
        .group_by(col(HealthSnapshot.week), col(HealthSnapshot.owner_id), col(HealthSnapshot.tier))
    ).all()
    for week, owner_id, tier, total, count in rows:
        by_week[week].add(owner_id, tier, float(total or 0), count)
    return by_week


def rep_summary(*, session: Session, actor: Actor, today: date) -> RepSummary:
    """The actor's own relationships: tier-weighted score, trend over four weeks, at risk."""
    owners = [actor.id]
    score = _current_means(session, owners).mean(owners)
    earlier = _snapshot_means(
        session, owners, previous_weeks(iso_week(today), DEFAULT_MODEL.trend_weeks)
    )
    at_risk, scored = session.exec(
        select(
            func.count(col(Contact.id)).filter(col(Contact.health_band) == "at_risk"),
            func.count(col(Contact.health_score)),
        ).where(Contact.owner_id == actor.id)
    ).one()
    return RepSummary(
        score=score,
        band=_band(score),
        trend=trend(score, [means.mean(owners) for means in earlier.values()]),
        at_risk=at_risk,
        scored=scored,
    )


def _members(
    session: Session, actor: Actor, team_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> list[User]:
    """The people whose relationships the team view shows, by name.

    Only active ones: a deactivated person's book waits for a handover (People
    lists them as deactivated), it is no rep's card and no part of the team's
    score. With `person_id`, that one person if in view, active or not: their
    page is where their book is handed over.
    """
    if actor.role == "manager":
        if team_id is not None and team_id != actor.team_id:
            raise Forbidden("Managers see their own team only.")
        if actor.team_id is None:
            return []
        team_id = actor.team_id
    elif actor.role != "admin":
        raise Forbidden("The team view is for managers.")
    # Reps, and anyone else who looks after contacts of their own.
    owners = sa.select(col(Contact.owner_id)).distinct()
    query = select(User).where(or_(col(User.role) == "rep", col(User.id).in_(owners)))
    if person_id is None:
        query = query.where(col(User.is_active))
    else:
        query = query.where(User.id == person_id)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(session.exec(query.order_by(col(User.name), col(User.id))).all())


def overdue_follow_ups(session: Session, as_of: Mapping[uuid.UUID, date]) -> dict[uuid.UUID, int]:
    """How many follow-ups of each owner are overdue on that owner's day in `as_of`.

    domain/due.py's rule in SQL, so a team is counted in one query per distinct
    day: not done by then, and due, or snoozed until, before that day. A test
    holds this to `due_state` over generated follow-ups.
    """
    counts: dict[uuid.UUID, int] = {}
    by_day: dict[date, list[uuid.UUID]] = defaultdict(list)
    for owner_id, day in as_of.items():
        by_day[day].append(owner_id)
    for day, owner_ids in by_day.items():
        done = and_(
            col(FollowUp.status) == "done",
            or_(col(FollowUp.done_on).is_(None), col(FollowUp.done_on) <= day),
        )
        rows = session.exec(
            select(FollowUp.owner_id, func.count())
            .where(
                col(FollowUp.owner_id).in_(owner_ids),
                col(FollowUp.due_on) < day,
                not_(done),
                or_(
                    and_(col(FollowUp.snooze_until).is_(None), col(FollowUp.status) != "snoozed"),
                    col(FollowUp.snooze_until) < day,
                ),
            )
            .group_by(col(FollowUp.owner_id))
        ).all()
        counts.update(dict(rows))
    return counts


def _open_complaints(session: Session, ends: dict[uuid.UUID, datetime]) -> dict[uuid.UUID, int]:
    """Each rep's complaints still open when their own day `ends` (`days.day_end`)."""
    counts: dict[uuid.UUID, int] = {}
    by_end: dict[datetime, list[uuid.UUID]] = defaultdict(list)
    for owner, end in ends.items():
        by_end[end].append(owner)
    for end, owners in by_end.items():
        rows = session.exec(
            select(Complaint.owner_id, func.count())
            .where(
                col(Complaint.owner_id).in_(owners),
                col(Complaint.opened_at) < end,
                or_(col(Complaint.resolved_at).is_(None), col(Complaint.resolved_at) >= end),
            )
            .group_by(col(Complaint.owner_id))
        ).all()
        counts.update(dict(rows))
    return counts


def _at_risk_now(
    session: Session, owner_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AtRiskContact]]:
    by_owner: dict[uuid.UUID, list[AtRiskContact]] = defaultdict(list)
    rows = session.execute(
        sa.select(
            col(Contact.owner_id),
            col(Contact.id),
            col(Contact.name),
            col(Contact.health_score),
            col(Contact.health_reasons),
        )
        .where(col(Contact.owner_id).in_(owner_ids), col(Contact.health_band) == "at_risk")
        .order_by(col(Contact.health_score), col(Contact.name))
    ).all()
    for owner_id, contact_id, name, score, reasons in rows:
        by_owner[owner_id].append(AtRiskContact(contact_id, name, score, tuple(reasons)))
    return by_owner


def _at_risk_then(
    session: Session, owner_ids: Sequence[uuid.UUID], week: str, as_of: date
) -> dict[uuid.UUID, list[AtRiskContact]]:
    """At risk in a past week's snapshot, with the reasons rebuilt as of its end."""
    rows = session.execute(
        sa.select(col(HealthSnapshot.owner_id), col(Contact.id), col(Contact.name))
        .join(Contact, col(Contact.id) == col(HealthSnapshot.contact_id))
        .where(
            col(HealthSnapshot.owner_id).in_(owner_ids),
            col(HealthSnapshot.week) == week,
            col(HealthSnapshot.band) == "at_risk",
        )
    ).all()
    facts = load_facts_for(session, [contact_id for _, contact_id, _ in rows], as_of)
    by_owner: dict[uuid.UUID, list[AtRiskContact]] = defaultdict(list)
    for owner_id, contact_id, name in rows:
        health = score_relationship(facts[contact_id][1], as_of)
        by_owner[owner_id].append(AtRiskContact(contact_id, name, health.score, health.reasons))
    for contacts in by_owner.values():
        contacts.sort(key=lambda contact: (contact.score or 0, contact.name))
    return by_owner


def team_health(
    *,
    session: Session,
    actor: Actor,
    week: str | None = None,
    now: datetime,
    team_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> TeamHealth:
    """Each active rep's and the team's score, trend and at-risk relationships in `week`.

    `week` defaults to the current one. Managers see their team; admins see
    every rep, or one team with `team_id`; reps are refused (Forbidden). With
    `person_id`, only that person (deactivated or not), if in view; else no rep.
    """
    members = _members(session, actor, team_id, person_id)
    today = local_day(now, actor.time_zone)
    current = iso_week(today)
    week = week or current
    as_of = snapshot_as_of(week, today)
    # Each rep's own day, but never past the end of the week shown.
    rep_as_of = {member.id: min(as_of, local_day(now, member.time_zone)) for member in members}
    owner_ids = [member.id for member in members]
    weeks = [*previous_weeks(week, HISTORY_WEEKS - 1), week]
    means = _snapshot_means(session, owner_ids, weeks[:-1] if week == current else weeks)
    if week == current:
        means[week] = _current_means(session, owner_ids)
        at_risk = _at_risk_now(session, owner_ids)
    else:
        at_risk = _at_risk_then(session, owner_ids, week, as_of)
    overdue = overdue_follow_ups(session, rep_as_of)
    complaints = _open_complaints(
        session,
        {member.id: day_end(rep_as_of[member.id], member.time_zone) for member in members},
    )
    earlier = weeks[-1 - DEFAULT_MODEL.trend_weeks : -1]

    def scored(owners: Sequence[uuid.UUID]) -> tuple[float | None, Band, Trend]:
        score = means[week].mean(owners)
        return score, _band(score), trend(score, [means[w].mean(owners) for w in earlier])

    reps = []
    for member in members:
        score, band, direction = scored([member.id])
        reps.append(
            RepHealth(
                user_id=member.id,
                name=member.name,
                score=score,
                band=band,
                trend=direction,
                overdue_follow_ups=overdue.get(member.id, 0),
                open_complaints=complaints.get(member.id, 0),
                at_risk=tuple(at_risk.get(member.id, ())),
            )
        )
    team_score, team_band, team_trend = scored(owner_ids)
    return TeamHealth(
        week=week,
        team=TeamScore(team_score, team_band, team_trend),
        reps=tuple(reps),
        history=tuple(
            WeekScores(
                week=w,
                team=means[w].mean(owner_ids),
                reps={owner: means[w].mean([owner]) for owner in owner_ids},
            )
            for w in weeks
        ),
    )
