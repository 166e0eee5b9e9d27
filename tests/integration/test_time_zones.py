"""Reps far from UTC, around their midnight and a DST change: every day is their own.

Los Angeles (UTC-8, UTC-7 in summer), Auckland (UTC+13 in summer) and Kolkata
(UTC+5:30) for logging, Today, health, reminders and the weekly snapshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa import clock, scheduler
from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.health_facts import load_facts_for
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.reminder import ReminderCandidate, RepSchedule, plan_reminders
from crm_pwa.services.actor import Actor
from crm_pwa.services.complaints import log_complaint
from crm_pwa.services.sync import SyncBatch, sync_outbox
from crm_pwa.services.team import team_health
from crm_pwa.services.today import today_view
from tests.utils.factories import bearer, make_contact, make_team, make_user


def _rep(session: Session, zone: str, email: str = "rep@example.com") -> User:
    rep = make_user(session, email, team=make_team(session))
    rep.time_zone = zone
    session.add(rep)
    session.commit()
    return rep


def _stored(session: Session, contact: Contact) -> Contact:
    session.expire_all()
    found = session.get(Contact, contact.id)
    assert found is not None
    return found


def test_note_at_5_pm_in_los_angeles_still_counts_when_a_complaint_follows(
    session: Session,
) -> None:
    rep = _rep(session, "America/Los_Angeles")
    dana = make_contact(session, rep, tier="medium")
    # 17:00 on Monday 23 November in Los Angeles: already Tuesday in UTC.
    five_pm = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    note = {
        "contact_id": str(dana.id),
        "kind": "meeting",
        "occurred_at": five_pm.isoformat(),
        "summary": "Went well",
        "sentiment": "positive",
    }
    batch = SyncBatch(interactions=[note])
    sync_outbox(session=session, actor=Actor.of(rep), batch=batch, now=five_pm)
    session.commit()
    log_complaint(
        session=session,
        actor=Actor.of(rep),
        contact_id=dana.id,
        summary="Late delivery",
        now=five_pm + timedelta(minutes=7),
    )
    session.commit()

    stored = _stored(session, dana)
    assert stored.health_band != "new"
    assert stored.health_score is not None
    assert "Complaint opened today" in stored.health_reasons
    assert not any(reason.startswith("No contact") for reason in stored.health_reasons)


def test_interaction_after_midnight_in_kolkata_is_dated_that_day_when_scored(
    session: Session,
) -> None:
    kolkata = _rep(session, "Asia/Kolkata", "kolkata@example.com")
    london = _rep(session, "UTC", "utc@example.com")
    contacts = [make_contact(session, owner) for owner in (kolkata, london)]
    # 00:30 on Monday 23 November in Kolkata is 19:00 on Sunday in UTC.
    moment = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    for contact in contacts:
        session.add(
            Interaction(
                contact_id=contact.id,
                author_id=contact.owner_id,
                kind="call",
                occurred_at=moment,
                summary="Called",
                sentiment="neutral",
                created_at=moment,
            )
        )
    session.commit()

    facts = load_facts_for(session, [contact.id for contact in contacts], date(2026, 11, 23))

    days = [facts[contact.id][1].interactions[0].occurred_on for contact in contacts]
    assert days == [date(2026, 11, 23), date(2026, 11, 22)]


def test_follow_up_turns_overdue_at_midnight_in_auckland_on_the_api_and_today(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep = _rep(session, "Pacific/Auckland")
    dana = make_contact(session, rep)
    session.add(
        FollowUp(
            contact_id=dana.id,
            owner_id=rep.id,
            title="Send the quote",
            due_on=date(2026, 11, 23),
            changed_at=datetime(2026, 11, 20, tzinfo=UTC),
            created_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
    )
    session.commit()
    headers = bearer(client, rep.email)
    # Auckland is UTC+13 in November: midnight is 11:00 UTC.
    for moment, overdue, due_today in [
        (datetime(2026, 11, 23, 10, 59, tzinfo=UTC), False, True),
        (datetime(2026, 11, 23, 11, 1, tzinfo=UTC), True, False),
    ]:
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        items = client.get("/api/v1/follow-ups", headers=headers).json()["items"]
        assert [item["overdue"] for item in items] == [overdue]
        view = today_view(
            session=session, actor=Actor.of(rep), today=local_day(moment, rep.time_zone)
        )
        assert (len(view.overdue), len(view.due_today)) == (int(overdue), int(due_today))


def test_reminder_waits_for_9_am_in_los_angeles_on_the_day_summer_time_ends() -> None:
    # Sunday 1 November 2026: clocks go back from UTC-7 to UTC-8 at 02:00.
    promise = ReminderCandidate(
        "f1", "c1", "Dana Reyes", "Call back", date(2026, 11, 1), "open", None, None, False
    )
    schedule = RepSchedule("America/Los_Angeles", time(9, 0))

    # 16:30 UTC would be 09:30 in summer time, but is 08:30 after the change.
    assert plan_reminders([promise], schedule, datetime(2026, 11, 1, 16, 30, tzinfo=UTC)) == []
    sent = plan_reminders([promise], schedule, datetime(2026, 11, 1, 17, 0, tzinfo=UTC))
    assert [(r.body, r.local_date) for r in sent] == [
        ("Promised today — Call back", date(2026, 11, 1))
    ]


def test_weekly_snapshot_keeps_a_sunday_evening_note_in_los_angeles(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep = _rep(session, "America/Los_Angeles")
    dana = make_contact(session, rep)
    # 20:00 on Sunday 22 November in Los Angeles: Monday 04:00 in UTC.
    sunday_evening = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    session.add(
        Interaction(
            contact_id=dana.id,
            author_id=rep.id,
            kind="call",
            occurred_at=sunday_evening,
            summary="Called",
            sentiment="positive",
            created_at=sunday_evening,
        )
    )
    session.commit()

    # Monday 05:00 UTC: still Sunday in Los Angeles, so the week is not over for everyone.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
    scheduler._snapshot_last_week()
    assert session.exec(select(HealthSnapshot).where(HealthSnapshot.week == "2026-W47")).all() == []

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    scheduler._snapshot_last_week()
    row = session.exec(select(HealthSnapshot).where(HealthSnapshot.week == "2026-W47")).one()
    assert (row.contact_id, row.band) == (dana.id, "strong")


def test_team_counts_open_complaints_by_each_reps_own_day_when_the_manager_is_in_kolkata(
    session: Session,
) -> None:
    team = make_team(session)
    manager = make_user(session, "lead@example.com", role="manager", team=team)
    manager.time_zone = "Asia/Kolkata"
    by_zone = {}
    for zone, email in (
        ("America/Los_Angeles", "la@example.com"),
        ("Pacific/Auckland", "nz@example.com"),
    ):
        rep = make_user(session, email, team=team)
        rep.time_zone = zone
        by_zone[zone] = rep
    session.add_all([manager, *by_zone.values()])
    session.commit()
    # Week 47 runs Monday 16 to Sunday 22 November 2026.
    opened = {
        # 20:00 on Sunday 22 in Los Angeles (Monday 04:00 UTC): open in week 47 for its rep.
        "America/Los_Angeles": datetime(2026, 11, 23, 4, 0, tzinfo=UTC),
        # 09:00 on Monday 23 in Auckland (Sunday 20:00 UTC): week 48 for its rep.
        "Pacific/Auckland": datetime(2026, 11, 22, 20, 0, tzinfo=UTC),
    }
    for zone, rep in by_zone.items():
        contact = make_contact(session, rep, name=f"Contact in {zone}")
        log_complaint(
            session=session,
            actor=Actor.of(rep),
            contact_id=contact.id,
            summary="Late delivery",
            now=opened[zone],
        )
    session.commit()

    health = team_health(
        session=session,
        actor=Actor.of(manager),
        week="2026-W47",
        now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )

    counts = {rep.name: rep.open_complaints for rep in health.reps}
    assert counts == {
        by_zone["America/Los_Angeles"].name: 1,
        by_zone["Pacific/Auckland"].name: 0,
    }


@pytest.mark.parametrize(
    ("zone", "opened_at", "stale"),
    [
        # Opened 23:30 on Friday 20 in Los Angeles (Saturday in UTC): three days by Monday.
        ("America/Los_Angeles", datetime(2026, 11, 21, 7, 30, tzinfo=UTC), True),
        # Opened 00:30 on Saturday 21 in Auckland (Friday in UTC): two days by Monday.
        ("Pacific/Auckland", datetime(2026, 11, 20, 11, 30, tzinfo=UTC), False),
    ],
)
def test_today_ages_complaints_in_the_reps_days_when_opened_near_midnight(
    session: Session, zone: str, opened_at: datetime, stale: bool
) -> None:
    rep = _rep(session, zone)
    contact = make_contact(session, rep)
    log_complaint(
        session=session, actor=Actor.of(rep), contact_id=contact.id, summary="Broken", now=opened_at
    )
    session.commit()
    # Monday 23 November, midday for the rep.
    view = today_view(session=session, actor=Actor.of(rep), today=date(2026, 11, 23))
    assert bool(view.stale_complaints) is stale
