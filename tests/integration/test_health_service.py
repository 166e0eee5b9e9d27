"""The stored health score follows what happens, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.health_facts import iter_facts, load_facts_for
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.health import score_relationship
from crm_pwa.domain.week import iso_week, previous_weeks
from crm_pwa.services.actor import Actor
from crm_pwa.services.complaints import resolve_complaint
from crm_pwa.services.demo import seed_demo
from crm_pwa.services.health import (
    refresh_all_health,
    refresh_contact_health,
    refresh_owner_health,
)
from crm_pwa.services.snapshot import snapshot_week
from crm_pwa.services.sync import SyncBatch, sync_outbox
from crm_pwa.services.team import rep_summary, team_health
from tests.utils.factories import make_contact, make_team, make_user

TODAY = date(2026, 11, 23)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _talk(session: Session, contact: Contact, day: date, sentiment: str = "positive") -> None:
    session.add(
        Interaction(
            contact_id=contact.id,
            author_id=contact.owner_id,
            kind="call",
            occurred_at=_at(day),
            summary="Talked",
            sentiment=sentiment,
            created_at=_at(day),
        )
    )


def _promise(session: Session, contact: Contact, due: date, done_on: date | None = None) -> None:
    session.add(
        FollowUp(
            contact_id=contact.id,
            owner_id=contact.owner_id,
            title="Call back",
            due_on=due,
            status="open" if done_on is None else "done",
            done_on=done_on,
            changed_at=_at(due - timedelta(days=7)),
            created_at=_at(due - timedelta(days=7)),
        )
    )


def _stored(session: Session, contact: Contact) -> tuple[int | None, str, list[str]]:
    session.expire_all()
    stored = session.get(Contact, contact.id)
    assert stored is not None
    return stored.health_score, stored.health_band, stored.health_reasons


def _rep(session: Session, email: str = "riley@example.com") -> User:
    return make_user(session, email, "rep", make_team(session))


def test_stored_score_rises_when_a_note_is_logged_after_a_long_silence(session: Session) -> None:
    rep = _rep(session)
    contact = make_contact(session, rep, tier="medium")
    today = local_day(clock.now(), "UTC")
    _talk(session, contact, today - timedelta(days=80))
    refresh_contact_health(session, contact.id, clock.now())
    session.commit()
    before, _, reasons_before = _stored(session, contact)

    note = {
        "contact_id": str(contact.id),
        "kind": "call",
        "occurred_at": (clock.now() - timedelta(hours=1)).isoformat(),
        "summary": "Caught up on the renewal",
        "sentiment": "positive",
    }
    batch = SyncBatch(interactions=[note])
    sync_outbox(session=session, actor=Actor.of(rep), batch=batch, now=clock.now())
    session.commit()

    after, _, reasons_after = _stored(session, contact)
    assert before is not None and after is not None
    assert after > before
    assert "No contact for 80 days; expected every 30" in reasons_before
    assert not any(reason.startswith("No contact") for reason in reasons_after)


def test_stored_score_rises_when_a_stale_complaint_is_resolved(session: Session) -> None:
    rep = _rep(session)
    contact = make_contact(session, rep, tier="medium")
    today = local_day(clock.now(), "UTC")
    _talk(session, contact, today - timedelta(days=2))
    complaint = Complaint(
        contact_id=contact.id,
        owner_id=rep.id,
        summary="Double billed",
        opened_at=_at(today - timedelta(days=6)),
    )
    session.add(complaint)
    refresh_contact_health(session, contact.id, clock.now())
    session.commit()
    before, _, reasons_before = _stored(session, contact)

    resolve_complaint(
        session=session,
        actor=Actor.of(rep),
        complaint_id=complaint.id,
        resolution="Credited the invoice",
        now=clock.now(),
    )
    session.commit()

    after, _, reasons_after = _stored(session, contact)
    assert before is not None and after is not None
    assert after - before == 7
    assert "Complaint open for 6 days" in reasons_before
    assert not any("Complaint" in reason for reason in reasons_after)


def test_daily_refresh_lowers_scores_when_time_passes(session: Session) -> None:
    rep = _rep(session)
    contacts = [make_contact(session, rep, name, tier="high") for name in ("Ann", "Bo")]
    for contact in contacts:
        _talk(session, contact, TODAY - timedelta(days=3))
    session.commit()

    assert refresh_all_health(session, _at(TODAY)) == 2
    fresh = [_stored(session, contact)[0] for contact in contacts]
    assert refresh_all_health(session, _at(TODAY)) == 0
    assert refresh_all_health(session, _at(TODAY + timedelta(days=30))) == 2
    later = [_stored(session, contact) for contact in contacts]

    assert fresh == [85, 85]
    assert [(score, band) for score, band, _ in later] == [(48, "watch"), (48, "watch")]
    assert later[0][2][0] == "No contact for 33 days; expected every 7"


def test_owner_refresh_leaves_other_reps_alone_when_given_one_rep(session: Session) -> None:
    team = make_team(session)
    riley = make_user(session, "riley@example.com", "rep", team)
    sam = make_user(session, "sam@example.com", "rep", team)
    mine = make_contact(session, riley, "Mine")
    theirs = make_contact(session, sam, "Theirs")
    for contact in (mine, theirs):
        _talk(session, contact, TODAY - timedelta(days=1))
    session.commit()

    assert refresh_owner_health(session, [riley.id], _at(TODAY)) == 1

    assert _stored(session, mine)[1] == "strong"
    assert _stored(session, theirs)[1] == "new"


def test_batches_score_like_single_contacts_when_contacts_span_many_batches(
    session: Session,
) -> None:
    team = make_team(session)
    riley = make_user(session, "riley@example.com", "rep", team)
    sam = make_user(session, "sam@example.com", "rep", team)
    contacts = []
    for number in range(9):
        owner = riley if number % 3 else sam
        contact = make_contact(
            session, owner, f"Contact {number}", tier=("high", "low")[number % 2]
        )
        for days_ago in range(number, 200, 9 + number):
            _talk(
                session,
                contact,
                TODAY - timedelta(days=days_ago),
                ("neutral", "negative")[number % 2],
            )
        _promise(session, contact, TODAY - timedelta(days=number + 1))
        _promise(session, contact, TODAY - timedelta(days=20), TODAY - timedelta(days=18))
        contacts.append(contact)
    session.add(
        Complaint(
            contact_id=contacts[4].id, owner_id=riley.id, summary="Late", opened_at=_at(TODAY)
        )
    )
    session.commit()
    one_by_one = {
        contact_id: score_relationship(facts, TODAY)
        for contact_id, (_, facts) in load_facts_for(
            session, [contact.id for contact in contacts], TODAY
        ).items()
    }

    everyone = [
        (key.id, score_relationship(facts, TODAY))
        for batch in iter_facts(session, TODAY, batch_size=2)
        for key, facts in batch
    ]
    rileys = [
        (key.id, score_relationship(facts, TODAY))
        for batch in iter_facts(session, TODAY, col(Contact.owner_id) == riley.id, batch_size=2)
        for key, facts in batch
    ]

    assert dict(everyone) == one_by_one
    assert len(everyone) == 9
    assert {contact_id for contact_id, _ in rileys} == {
        contact.id for contact in contacts if contact.owner_id == riley.id
    }
    assert all(health == one_by_one[contact_id] for contact_id, health in rileys)


def test_rep_summary_shows_decline_when_a_rep_went_quiet_after_past_snapshots(
    session: Session,
) -> None:
    rep = _rep(session)
    quiet = make_contact(session, rep, "Quiet", tier="high")
    for days_ago in range(35, 120, 7):
        _talk(session, quiet, TODAY - timedelta(days=days_ago))
    _promise(session, quiet, TODAY - timedelta(days=20))
    _promise(session, quiet, TODAY - timedelta(days=10))
    make_contact(session, rep, "Brand new")
    session.commit()
    for week in previous_weeks(iso_week(TODAY), 4):
        snapshot_week(session=session, week=week, today=TODAY)
    refresh_owner_health(session, [rep.id], _at(TODAY))
    session.commit()

    summary = rep_summary(session=session, actor=Actor.of(rep), today=TODAY)

    stored_score = _stored(session, quiet)[0]
    assert summary.score == stored_score
    assert summary.band == "at_risk"
    assert summary.trend == "down"
    assert (summary.at_risk, summary.scored) == (1, 1)


def test_demo_tells_each_reps_story_when_seeded(session: Session) -> None:
    seed_demo(session=session, seed=7, today=TODAY)
    session.commit()
    manager = session.exec(select(User).where(User.email == "morgan@example.com")).one()

    team = team_health(session=session, actor=Actor.of(manager), now=_at(TODAY))

    trends = {rep.name: rep.trend for rep in team.reps}
    assert trends == {"Alex Novak": "steady", "Riley Chen": "up", "Sam Okafor": "down"}
    reasons = [reason for rep in team.reps for contact in rep.at_risk for reason in contact.reasons]
    for story in (
        r"No contact for \d+ days; expected every 7",
        r"\d+ follow-ups overdue",
        r"Complaint open for 9 days",
        r"Contacted \d+ times in the 360 days up to the last contact; expected about 4",
    ):
        assert any(re.fullmatch(story, reason) for reason in reasons), story
    assert all(point.team is not None for point in team.history)
    assert len(team.history) == 12
