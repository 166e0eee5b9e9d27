"""Acceptance: every place that says "overdue" or "due today" agrees, in every zone.

Generated follow-ups (open, done, snoozed to any day) of reps in Los Angeles,
Auckland and Kolkata, looked at around their midnights: the team view's SQL,
Today, the contact card, the health score's facts and the push reminder all
give the answer of domain/due.py's `due_state`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, delete, select

from crm_pwa.components.follow_up_item import follow_up_view
from crm_pwa.db.contact import Contact
from crm_pwa.db.health_facts import load_facts_for
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import due_state
from crm_pwa.domain.follow_through import follow_through
from crm_pwa.domain.reminder import ReminderCandidate, RepSchedule, plan_reminders
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_card import contact_card
from crm_pwa.services.team import overdue_follow_ups
from crm_pwa.services.today import today_view
from tests.utils.factories import make_contact, make_team, make_user

ZONES = ("America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata")
# Around 00:00 in Auckland (11:00 UTC), Kolkata (18:30) and Los Angeles (08:00).
BASE = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
moments = st.sampled_from([0, -1, 1, 450, 451, 449, 1260, 1261, 1259]).map(
    lambda minutes: BASE + timedelta(minutes=minutes)
)
follow_up = st.fixed_dictionaries(
    {
        "rep": st.integers(0, len(ZONES) - 1),
        "due": st.integers(-3, 3),
        "status": st.sampled_from(("open", "snoozed", "done")),
        "snooze": st.none() | st.integers(-3, 3),
    }
)


def _reps(session: Session) -> list[tuple[User, Contact]]:
    found = session.exec(select(User).where(User.email.startswith("zone"))).all()  # type: ignore[attr-defined]
    if not found:
        team = make_team(session)
        for index, zone in enumerate(ZONES):
            rep = make_user(session, f"zone{index}@example.com", team=team)
            rep.time_zone = zone
            session.add(rep)
            make_contact(session, rep, f"Client {index}")
        session.commit()
        found = session.exec(select(User).where(User.email.startswith("zone"))).all()  # type: ignore[attr-defined]
    reps = sorted(found, key=lambda user: user.email)
    return [
        (rep, session.exec(select(Contact).where(Contact.owner_id == rep.id)).one()) for rep in reps
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(now=moments, drawn=st.lists(follow_up, max_size=8))
def test_overdue_and_due_today_agree_everywhere_when_follow_ups_are_generated(
    session: Session, now: datetime, drawn: list[dict[str, int | str | None]]
) -> None:
    reps = _reps(session)
    session.exec(delete(FollowUp))  # type: ignore[call-overload]
    states: dict[uuid.UUID, str] = {}
    by_rep: dict[uuid.UUID, list[FollowUp]] = {rep.id: [] for rep, _ in reps}
    for item in drawn:
        rep, contact = reps[int(str(item["rep"]))]
        today = local_day(now, rep.time_zone)
        status = str(item["status"])
        snooze = item["snooze"]
        row = FollowUp(
            contact_id=contact.id,
            owner_id=rep.id,
            title="Call back",
            due_on=today + timedelta(days=int(str(item["due"]))),
            status=status,
            snooze_until=None if snooze is None else today + timedelta(days=int(str(snooze))),
            done_on=today if status == "done" else None,
            changed_at=now,
            created_at=now - timedelta(days=10),
        )
        session.add(row)
        by_rep[rep.id].append(row)
        states[row.id] = due_state(row.status, row.due_on, row.snooze_until, today)
    session.commit()

    rep_days = {rep.id: local_day(now, rep.time_zone) for rep, _ in reps}
    team_sql = overdue_follow_ups(session, rep_days)
    facts = load_facts_for(session, [contact.id for _, contact in reps], max(rep_days.values()))
    for rep, contact in reps:
        today = rep_days[rep.id]
        mine = by_rep[rep.id]
        overdue = {row.id for row in mine if states[row.id] == "overdue"}
        due_today = {row.id for row in mine if states[row.id] == "due_today"}

        assert team_sql.get(rep.id, 0) == len(overdue)

        view = today_view(session=session, actor=Actor.of(rep), today=today)
        assert {line.id for line in view.overdue} == overdue
        assert {line.id for line in view.due_today} == due_today

        card = contact_card(
            session=session, actor=Actor.of(rep), contact_id=contact.id, today=today
        )
        assert {line.id for line in card.open_follow_ups if line.overdue} == overdue
        shown = [
            follow_up_view(
                follow_up_id=str(line.id),
                title=line.title,
                status=line.status,
                due_on=line.due_on,
                snooze_until=line.snooze_until,
                today=today,
            )
            for line in card.open_follow_ups
        ]
        assert {uuid.UUID(item.id) for item in shown if item.overdue} == overdue
        assert {uuid.UUID(item.id) for item in shown if item.due == "Due today"} == due_today

        health = follow_through(
            facts[contact.id][1].follow_ups, [], today, window_days=90, overdue_factor=0.75
        )
        assert health.overdue == len(overdue)

        candidates = [
            ReminderCandidate(
                str(row.id),
                str(contact.id),
                contact.name,
                row.title,
                row.due_on,
                row.status,
                row.snooze_until,
                None,
                False,
            )
            for row in mine
        ]
        # No quiet hours, reminders from midnight: every follow-up asking for attention.
        always = RepSchedule(rep.time_zone, time(0, 0), time(0, 0), time(0, 0))
        reminders = plan_reminders(candidates, always, now)
        assert {r.follow_up_id for r in reminders} == {str(i) for i in overdue | due_today}
        assert {r.follow_up_id for r in reminders if r.urgency == "high"} == {
            str(i) for i in overdue
        }
