"""Today: overdue and due follow-ups, lapsed rhythms and waiting complaints, for one rep."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.today import today_view
from tests.utils.factories import NOW, make_contact, make_team, make_user

TODAY = date(2026, 11, 23)


def _at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(10), NOW.tzinfo)


def _follow_up(session: Session, contact: Contact, title: str, due: int, **fields: Any) -> None:
    session.add(
        FollowUp(
            contact_id=contact.id,
            owner_id=contact.owner_id,
            title=title,
            due_on=TODAY + timedelta(days=due),
            changed_at=NOW,
            created_at=NOW,
            **fields,
        )
    )


def _contact(session: Session, owner: User, name: str, days_ago: int, **fields: Any) -> Contact:
    return make_contact(session, owner, name, last_interaction_at=_at(days_ago), **fields)


def test_follow_ups_are_split_into_overdue_and_due_today_when_open(session: Session) -> None:
    rep = make_user(session, "riley@example.com")
    dana = _contact(session, rep, "Dana Reyes", days_ago=1)
    _follow_up(session, dana, "Send the quote", due=-3)
    _follow_up(session, dana, "Call back", due=0)
    _follow_up(session, dana, "Next week", due=7)
    _follow_up(session, dana, "Done already", due=-1, status="done", done_on=TODAY)
    _follow_up(
        session,
        dana,
        "Snoozed away",
        due=-2,
        status="snoozed",
        snooze_until=TODAY + timedelta(days=2),
    )
    _follow_up(session, dana, "Snooze over", due=-5, status="snoozed", snooze_until=TODAY)
    _follow_up(
        session,
        dana,
        "Snooze long over",
        due=-9,
        status="snoozed",
        snooze_until=TODAY - timedelta(days=1),
    )
    session.commit()

    view = today_view(session=session, actor=Actor.of(rep), today=TODAY)

    assert [item.title for item in view.overdue] == ["Snooze long over", "Send the quote"]
    assert [item.title for item in view.due_today] == ["Snooze over", "Call back"]
    assert view.overdue[0].contact_name == "Dana Reyes"
    assert view.as_dict()["due_today"][1]["due_on"] == "2026-11-23"


def test_reach_out_lists_lapsed_contacts_high_tier_first_when_rhythms_lapse(
    session: Session,
) -> None:
    rep = make_user(session, "riley@example.com")
    _contact(session, rep, "Medium Late", days_ago=90, tier="medium")
    _contact(session, rep, "High Late", days_ago=10, tier="high")
    _contact(session, rep, "High Fine", days_ago=2, tier="high")
    _contact(session, rep, "High Blocked", days_ago=60, tier="high", do_not_contact=True)
    _contact(session, rep, "Low Fine", days_ago=60, tier="low")
    _contact(session, rep, "Low Override", days_ago=60, tier="low", rhythm_days=30)

    view = today_view(session=session, actor=Actor.of(rep), today=TODAY)

    assert [(item.name, item.days_since_last) for item in view.reach_out] == [
        ("High Late", 10),
        ("Medium Late", 90),
        ("Low Override", 60),
    ]


def test_complaints_waiting_more_than_two_days_are_listed_when_open(session: Session) -> None:
    rep = make_user(session, "riley@example.com")
    dana = _contact(session, rep, "Dana Reyes", days_ago=1)
    for summary, opened, resolved in (
        ("Old and open", 5, None),
        ("Fresh", 2, None),
        ("Old but fixed", 9, 1),
    ):
        session.add(
            Complaint(
                contact_id=dana.id,
                owner_id=rep.id,
                summary=summary,
                opened_at=_at(opened),
                resolved_at=None if resolved is None else _at(resolved),
            )
        )
    session.commit()

    view = today_view(session=session, actor=Actor.of(rep), today=TODAY)

    assert [(item.summary, item.days_open) for item in view.stale_complaints] == [
        ("Old and open", 5)
    ]


def test_today_shows_only_the_actors_own_work_when_a_manager_asks(session: Session) -> None:
    team = make_team(session)
    rep = make_user(session, "riley@example.com", team=team)
    manager = make_user(session, "morgan@example.com", "manager", team)
    theirs = _contact(session, rep, "Rep Contact", days_ago=90, tier="high")
    _follow_up(session, theirs, "Rep's promise", due=-1)
    session.add(Complaint(contact_id=theirs.id, owner_id=rep.id, summary="x", opened_at=_at(9)))
    session.commit()

    view = today_view(session=session, actor=Actor.of(manager), today=TODAY)

    assert view.overdue == [] and view.reach_out == [] and view.stale_complaints == []
    assert today_view(session=session, actor=Actor.of(rep), today=TODAY).overdue
