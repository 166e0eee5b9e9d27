"""GET /api/v1/health/team: who may ask, what comes back, and for which week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.db.user import Team, User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.week import iso_week, parse_iso_week
from crm_pwa.services.actor import Actor
from crm_pwa.services.health import refresh_all_health
from crm_pwa.services.rep_page import rep_page
from crm_pwa.services.snapshot import snapshot_week
from tests.utils.factories import bearer, make_contact, make_team, make_user

PATH = "/api/v1/health/team"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), UTC)


def _talk(session: Session, contact: Contact, days_ago: int, sentiment: str = "positive") -> None:
    day = local_day(clock.now(), "UTC") - timedelta(days=days_ago)
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


def _promise(session: Session, contact: Contact, due_days_ago: int) -> None:
    due = local_day(clock.now(), "UTC") - timedelta(days=due_days_ago)
    session.add(
        FollowUp(
            contact_id=contact.id,
            owner_id=contact.owner_id,
            title="Send the quote",
            due_on=due,
            changed_at=_at(due - timedelta(days=7)),
            created_at=_at(due - timedelta(days=7)),
        )
    )


@dataclass
class World:
    west: Team
    east: Team
    riley: User
    sam: User
    ella: User
    kept: Contact
    neglected: Contact
    recovered: Contact


@pytest.fixture
def world(session: Session) -> World:
    west, east = make_team(session, "West"), make_team(session, "East")
    make_user(session, "morgan@example.com", "manager", west)
    make_user(session, "erin@example.com", "manager", east)
    make_user(session, "ada@example.com", "admin")
    riley = make_user(session, "riley@example.com", "rep", west, name="Riley")
    sam = make_user(session, "sam@example.com", "rep", west, name="Sam")
    ella = make_user(session, "ella@example.com", "rep", east, name="Ella")
    # Riley: one key account looked after weekly (100), one silent for two
    # months with a promise overdue (33, at risk).
    kept = make_contact(session, riley, "Kept Weekly", tier="high")
    for days_ago in (1, 8, 15, 22):
        _talk(session, kept, days_ago)
    neglected = make_contact(session, riley, "Neglected Account", tier="high")
    _talk(session, neglected, 60)
    _talk(session, neglected, 67)
    _promise(session, neglected, 5)
    # Sam: a medium contact, two lukewarm calls, a complaint from yesterday (81).
    lukewarm = make_contact(session, sam, "Lukewarm Lead", tier="medium")
    _talk(session, lukewarm, 2, "neutral")
    _talk(session, lukewarm, 40, "neutral")
    session.add(
        Complaint(
            contact_id=lukewarm.id,
            owner_id=sam.id,
            summary="Late delivery",
            opened_at=_at(local_day(clock.now(), "UTC") - timedelta(days=1)),
        )
    )
    # Sam: at risk two weeks ago (silent, a promise overdue), called three days ago.
    recovered = make_contact(session, sam, "Recovered Client", tier="high")
    _talk(session, recovered, 100)
    _talk(session, recovered, 3)
    _promise(session, recovered, 30)
    ella_contact = make_contact(session, ella, "Other Team", tier="low")
    _talk(session, ella_contact, 10)
    session.commit()
    refresh_all_health(session, clock.now())
    session.commit()
    return World(west, east, riley, sam, ella, kept, neglected, recovered)


def test_manager_sees_each_rep_of_the_team_when_asking_for_this_week(
    client: TestClient, world: World
) -> None:
    answer = client.get(PATH, headers=bearer(client, "morgan@example.com"))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["week"] == iso_week(local_day(clock.now(), "UTC"))
    assert [rep["name"] for rep in body["reps"]] == ["Riley", "Sam"]
    riley, sam = body["reps"]
    assert riley["user_id"] == str(world.riley.id)
    assert (riley["score"], riley["band"], riley["trend"]) == (66.5, "watch", "steady")
    assert (riley["overdue_follow_ups"], riley["open_complaints"]) == (1, 0)
    assert [contact["name"] for contact in riley["at_risk"]] == ["Neglected Account"]
    at_risk = riley["at_risk"][0]
    assert at_risk["contact_id"] == str(world.neglected.id)
    assert at_risk["score"] == 33
    assert at_risk["reasons"][0] == "No contact for 60 days; expected every 7"
    assert "1 follow-up overdue" in at_risk["reasons"]
    # Sam: Lukewarm Lead 81 (medium, weighs 2) and Recovered Client 73 (high, 3).
    assert (sam["score"], sam["band"]) == (76.2, "strong")
    assert (sam["overdue_follow_ups"], sam["open_complaints"], sam["at_risk"]) == (1, 1, [])
    # Every contact weighs by its tier: (3×100 + 3×33 + 2×81 + 3×73) ÷ 11, not the reps' mean.
    assert body["team"] == {"score": 70.9, "band": "strong", "trend": "steady"}


def test_history_covers_twelve_weeks_when_only_this_week_is_scored(
    client: TestClient, world: World
) -> None:
    body = client.get(PATH, headers=bearer(client, "morgan@example.com")).json()

    history = body["history"]
    assert len(history) == 12
    assert history[-1]["week"] == body["week"]
    assert history[-1]["team"] == body["team"]["score"]
    assert history[-1]["reps"] == {rep["user_id"]: rep["score"] for rep in body["reps"]}
    assert all(point["team"] is None for point in history[:-1])
    assert [parse_iso_week(point["week"])[0] for point in history] == sorted(
        parse_iso_week(point["week"])[0] for point in history
    )


def test_past_week_comes_from_its_snapshot_when_a_week_is_picked(
    client: TestClient, session: Session, world: World
) -> None:
    week = iso_week(local_day(clock.now(), "UTC") - timedelta(days=14))
    sunday = parse_iso_week(week)[1]
    snapshot_week(session=session, week=week, today=local_day(clock.now(), "UTC"))
    session.commit()

    answer = client.get(PATH, params={"week": week}, headers=bearer(client, "morgan@example.com"))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    riley, sam = body["reps"]
    assert body["week"] == week
    assert riley["at_risk"] == []
    assert [contact["name"] for contact in sam["at_risk"]] == ["Recovered Client"]
    silence = (sunday - (local_day(clock.now(), "UTC") - timedelta(days=100))).days
    assert sam["at_risk"][0]["reasons"][0] == f"No contact for {silence} days; expected every 7"
    # The promise due 30 days ago was already overdue; the complaint did not exist yet.
    assert (sam["overdue_follow_ups"], sam["open_complaints"]) == (1, 0)
    assert body["history"][-1]["team"] == body["team"]["score"]


def test_rep_is_forbidden_when_asking_for_team_health(client: TestClient, world: World) -> None:
    headers = bearer(client, "riley@example.com")

    plain = client.get(PATH, headers=headers)
    with_week = client.get(PATH, params={"week": "not-a-week"}, headers=headers)

    assert plain.status_code == 403
    assert plain.json() == {"detail": "The team view is for managers."}
    assert with_week.status_code == 403


@pytest.mark.parametrize(
    ("week", "detail"),
    [
        ("2026-47", "'2026-47' is not an ISO week; expected YYYY-Www, e.g. 2026-W47"),
        ("2026-W60", "'2026-W60' is not an ISO week; 2026 has weeks W01 to W53"),
        ("2999-W01", "2999-W01 has not started yet."),
    ],
)
def test_week_is_refused_with_422_when_malformed_or_in_the_future(
    client: TestClient, world: World, week: str, detail: str
) -> None:
    answer = client.get(PATH, params={"week": week}, headers=bearer(client, "morgan@example.com"))

    assert answer.status_code == 422
    assert answer.json() == {"detail": detail}


def test_manager_sees_only_their_team_when_another_team_is_asked_for(
    client: TestClient, world: World
) -> None:
    east_manager = bearer(client, "erin@example.com")

    own = client.get(PATH, headers=east_manager).json()
    other = client.get(PATH, params={"team_id": str(world.west.id)}, headers=east_manager)

    assert [rep["name"] for rep in own["reps"]] == ["Ella"]
    assert all(
        contact["name"] != "Neglected Account" for rep in own["reps"] for contact in rep["at_risk"]
    )
    assert other.status_code == 403


def test_admin_sees_every_rep_or_one_team_when_a_team_is_chosen(
    client: TestClient, world: World
) -> None:
    admin = bearer(client, "ada@example.com")

    everyone = client.get(PATH, headers=admin).json()
    east = client.get(PATH, params={"team_id": str(world.east.id)}, headers=admin).json()

    assert [rep["name"] for rep in everyone["reps"]] == ["Ella", "Riley", "Sam"]
    assert [rep["name"] for rep in east["reps"]] == ["Ella"]


def test_deactivated_rep_leaves_team_and_its_score_but_keeps_book_and_page_when_deactivated(
    client: TestClient, session: Session, world: World
) -> None:
    admin, manager = bearer(client, "ada@example.com"), bearer(client, "morgan@example.com")
    deactivated = client.patch(
        f"/api/v1/users/{world.sam.id}", json={"active": False}, headers=admin
    )
    assert deactivated.status_code == 200, deactivated.text

    west = client.get(PATH, headers=manager).json()
    everyone = client.get(PATH, headers=admin).json()

    assert [rep["name"] for rep in west["reps"]] == ["Riley"]
    # Riley's contacts alone, (3×100 + 3×33) ÷ 6: Sam's book no longer weighs in.
    assert west["team"]["score"] == west["reps"][0]["score"] == 66.5
    assert all(set(point["reps"]) == {str(world.riley.id)} for point in west["history"])
    assert [rep["name"] for rep in everyone["reps"]] == ["Ella", "Riley"]
    # People still lists Sam, as deactivated; his page still opens, for the handover.
    people = client.get("/api/v1/users", headers=admin).json()["items"]
    assert [person["active"] for person in people if person["name"] == "Sam"] == [False]
    morgan = session.exec(select(User).where(User.email == "morgan@example.com")).one()
    page = rep_page(session=session, actor=Actor.of(morgan), rep_id=world.sam.id, now=clock.now())
    assert (page.rep.name, page.rep.open_complaints, page.rep.score) == ("Sam", 1, 76.2)
    moved = client.post(
        f"/api/v1/users/{world.sam.id}/handover", json={"to": str(world.riley.id)}, headers=manager
    )
    assert (moved.status_code, moved.json()["contacts"]) == (200, 2)
    after = client.get(PATH, headers=manager).json()
    # Sam's contacts count again, now in Riley's book: (3×100 + 3×33 + 2×81 + 3×73) ÷ 11.
    assert [rep["name"] for rep in after["reps"]] == ["Riley"]
    assert after["team"]["score"] == after["reps"][0]["score"] == 70.9


def test_team_health_needs_a_token_when_called_anonymously(client: TestClient) -> None:
    assert client.get(PATH).status_code == 401
