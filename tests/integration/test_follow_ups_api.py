"""The follow-up routes: list the caller's, change one, add one to a contact."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.domain.days import local_day
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_team, make_user

API = "/api/v1"
REP = "riley@example.com"
OTHER_REP = "sam@example.com"


class World:
    def __init__(self, client: TestClient, session: Session) -> None:
        self.team = make_team(session)
        self.client = client
        self.rep = make_user(session, REP, team=self.team)
        self.other = make_user(session, OTHER_REP, team=self.team)
        self.dana = make_contact(session, self.rep, "Dana Reyes")
        self.lee = make_contact(session, self.rep, "Lee Park")
        self.foreign = make_contact(session, self.other, "Ola Berg")
        self.headers = bearer(client, REP)

    def add(
        self, contact: Contact, title: str, due_on: date, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        answer = self.client.post(
            f"{API}/contacts/{contact.id}/follow-ups",
            json={"title": title, "due_on": due_on.isoformat()},
            headers=headers or self.headers,
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def patch(self, follow_up_id: object, **fields: Any) -> Any:
        return self.client.patch(
            f"{API}/follow-ups/{follow_up_id}", json=fields, headers=self.headers
        )

    def listed(self, query: str = "") -> list[dict[str, Any]]:
        answer = self.client.get(f"{API}/follow-ups{query}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    return World(client, session)


def days(n: int) -> date:
    return local_day(clock.now(), "UTC") + timedelta(days=n)


def stored(db: Database, follow_up_id: str) -> FollowUp:
    with db.session() as session:
        follow_up = session.get(FollowUp, uuid.UUID(follow_up_id))
    assert follow_up is not None
    return follow_up


def test_follow_up_is_created_for_the_caller_when_added_to_their_contact(
    world: World, db: Database
) -> None:
    created = world.add(world.dana, "  Send the quote ", days(3))

    assert created == {
        "id": created["id"],
        "contact_id": str(world.dana.id),
        "contact_name": "Dana Reyes",
        "title": "Send the quote",
        "due_on": days(3).isoformat(),
        "status": "open",
        "snooze_until": None,
        "done_on": None,
        "overdue": False,
    }
    assert stored(db, created["id"]).owner_id == world.rep.id


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"title": "   ", "due_on": "TODAY"}, "due_on"),
        ({"title": "   ", "due_on": "2026-02-30"}, "due_on"),
        ({"title": "   "}, "due_on"),
        ({"title": "   ", "due_on": "DAYS+3"}, "title is empty"),
        ({"title": "t" * 301, "due_on": "DAYS+3"}, "at most 300"),
        ({"title": "Call", "due_on": "DAYS-5"}, "has already passed"),
        ({"title": "Call", "due_on": "DAYS+900"}, "2 years"),
    ],
)
def test_follow_up_is_refused_with_422_and_nothing_stored_when_the_input_is_bad(
    world: World, db: Database, payload: dict[str, str], words: str
) -> None:
    if payload.get("due_on", "").startswith("DAYS"):
        payload = {**payload, "due_on": days(int(payload["due_on"][4:])).isoformat()}
    if payload.get("due_on") == "TODAY":
        payload = {**payload, "due_on": "today"}
    answer = world.client.post(
        f"{API}/contacts/{world.dana.id}/follow-ups", json=payload, headers=world.headers
    )
    assert answer.status_code == 422
    assert words in str(answer.json()["detail"])
    with db.session() as session:
        assert session.exec(select(FollowUp)).all() == []


def test_follow_up_is_refused_with_404_when_the_contact_is_another_reps_or_unknown(
    world: World, db: Database
) -> None:
    answers = [
        world.client.post(
            f"{API}/contacts/{contact_id}/follow-ups",
            json={"title": "Call", "due_on": days(1).isoformat()},
            headers=world.headers,
        )
        for contact_id in (world.foreign.id, uuid.uuid4())
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json() == {"detail": "Contact not found."}


def test_list_shows_only_the_callers_open_follow_ups_soonest_first_when_asked(
    world: World, session: Session
) -> None:
    later = world.add(world.dana, "Quarterly review", days(10))
    overdue = _overdue(world, session)
    soon = world.add(world.lee, "Send the brochure", days(1))
    world.add(world.foreign, "Not mine", days(1), headers=bearer(world.client, OTHER_REP))
    done = world.add(world.lee, "Already handled", days(2))
    assert world.patch(done["id"], status="done").status_code == 200

    items = world.listed()

    assert [i["id"] for i in items] == [overdue["id"], soon["id"], later["id"]]
    assert [i["overdue"] for i in items] == [True, False, False]
    assert items[0]["contact_name"] == "Dana Reyes"
    assert [i["id"] for i in world.listed("?status=done")] == [done["id"]]
    assert len(world.listed("?status=all")) == 4
    assert [i["id"] for i in world.listed(f"?due_before={days(5).isoformat()}")] == [
        overdue["id"],
        soon["id"],
    ]


def _overdue(world: World, session: Session) -> dict[str, Any]:
    """A follow-up promised a week ago and not kept (the API refuses past dates)."""
    created = world.add(world.dana, "Call back about the invoice", days(1))
    follow_up = session.get(FollowUp, uuid.UUID(created["id"]))
    assert follow_up is not None
    follow_up.due_on = days(-7)
    session.add(follow_up)
    session.commit()
    return {**created, "due_on": days(-7).isoformat()}


@pytest.mark.parametrize(
    "query", ["?due_before=2026-13-01", "?due_before=tomorrow", "?status=cancelled", "?limit=0"]
)
def test_list_is_refused_with_422_when_a_filter_is_malformed(world: World, query: str) -> None:
    answer = world.client.get(f"{API}/follow-ups{query}", headers=world.headers)
    assert answer.status_code == 422
    assert answer.json()["detail"]


def test_done_snooze_and_reopen_change_the_follow_up_when_patched(
    world: World, db: Database
) -> None:
    created = world.add(world.dana, "Send the quote", days(1))

    snoozed = world.patch(created["id"], status="snoozed", snooze_until=days(4).isoformat())
    assert snoozed.status_code == 200
    assert (snoozed.json()["status"], snoozed.json()["snooze_until"]) == (
        "snoozed",
        days(4).isoformat(),
    )
    done = world.patch(created["id"], status="done").json()
    assert (done["status"], done["done_on"], done["snooze_until"]) == (
        "done",
        local_day(clock.now(), "UTC").isoformat(),
        None,
    )
    reopened = world.patch(created["id"], status="open").json()
    assert (reopened["status"], reopened["done_on"]) == ("open", None)
    with db.session() as session:
        dana = session.get(Contact, world.dana.id)
        assert dana is not None and dana.updated_at > world.dana.updated_at


def test_reschedule_moves_the_day_and_reopens_when_due_on_is_patched(
    world: World, db: Database
) -> None:
    created = world.add(world.dana, "Send the quote", days(1))
    world.patch(created["id"], status="done")

    moved = world.patch(created["id"], due_on=days(6).isoformat())

    assert moved.status_code == 200
    body = moved.json()
    assert (body["due_on"], body["status"], body["done_on"]) == (days(6).isoformat(), "open", None)


def test_change_is_ignored_and_the_standing_state_returned_when_it_is_older(
    world: World, db: Database
) -> None:
    created = world.add(world.dana, "Send the quote", days(1))
    assert world.patch(created["id"], status="done").status_code == 200
    an_hour_ago = (clock.now() - timedelta(hours=1)).isoformat()

    answer = world.patch(
        created["id"], status="snoozed", snooze_until=days(2).isoformat(), changed_at=an_hour_ago
    )

    assert answer.status_code == 200 and answer.json()["status"] == "done"
    assert stored(db, created["id"]).status == "done"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({}, "Send a status or a due_on"),
        ({"status": "snoozed"}, "until when"),
        ({"status": "finished"}, "status must be one of"),
        ({"status": "done", "due_on": "DAYS+2"}, "without a status"),
        ({"due_on": "DAYS-3"}, "has already passed"),
        ({"due_on": "someday"}, "due_on"),
        ({"status": "done", "colour": "red"}, "colour"),
        ({"status": "done", "changed_at": "2026-11-23T10:00:00"}, "offset"),
    ],
)
def test_patch_is_refused_with_422_and_changes_nothing_when_the_input_is_bad(
    world: World, db: Database, payload: dict[str, str], words: str
) -> None:
    created = world.add(world.dana, "Send the quote", days(1))
    if str(payload.get("due_on", "")).startswith("DAYS"):
        payload = {**payload, "due_on": days(int(payload["due_on"][4:])).isoformat()}

    answer = world.patch(created["id"], **payload)

    assert answer.status_code == 422
    assert words in str(answer.json()["detail"])
    follow_up = stored(db, created["id"])
    assert (follow_up.status, follow_up.due_on) == ("open", days(1))


def test_snoozing_a_done_follow_up_is_refused_when_it_was_not_reopened(world: World) -> None:
    created = world.add(world.dana, "Send the quote", days(1))
    world.patch(created["id"], status="done")
    answer = world.patch(created["id"], status="snoozed", snooze_until=days(3).isoformat())
    assert answer.status_code == 422
    assert "reopen it first" in answer.json()["detail"]


def test_another_reps_follow_up_is_404_and_untouched_when_patched(
    world: World, db: Database
) -> None:
    theirs = world.add(world.foreign, "Not mine", days(1), headers=bearer(world.client, OTHER_REP))
    answers = [
        world.patch(theirs["id"], status="done"),
        world.patch(theirs["id"], due_on=days(5).isoformat()),
        world.patch(uuid.uuid4(), status="done"),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["detail"] for a in answers} == {"Follow-up not found."}
    follow_up = stored(db, theirs["id"])
    assert (follow_up.status, follow_up.due_on) == ("open", days(1))


def test_manager_changes_a_team_reps_follow_up_but_lists_only_their_own_when_asked(
    world: World, session: Session
) -> None:
    manager_email = "morgan@example.com"
    make_user(session, manager_email, role="manager", team=world.team)
    created = world.add(world.dana, "Send the quote", days(1))
    headers = bearer(world.client, manager_email)

    changed = world.client.patch(
        f"{API}/follow-ups/{created['id']}", json={"status": "done"}, headers=headers
    )
    listed = world.client.get(f"{API}/follow-ups", headers=headers)

    assert changed.status_code == 200 and changed.json()["status"] == "done"
    assert listed.status_code == 200 and listed.json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/follow-ups"),
        ("PATCH", "/follow-ups/00000000-0000-4000-8000-000000000000"),
        ("POST", "/contacts/00000000-0000-4000-8000-000000000000/follow-ups"),
        ("POST", "/sync"),
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_every_route_is_refused_with_401_when_the_token_is_missing_or_wrong(
    client: TestClient, db: Database, method: str, path: str, headers: dict[str, str]
) -> None:
    payload = {
        "/follow-ups": None,
        "/sync": {"interactions": [], "follow_up_updates": []},
    }.get(
        path, {"status": "done"} if method == "PATCH" else {"title": "Call", "due_on": "2026-12-01"}
    )
    answer = client.request(method, f"{API}{path}", json=payload, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["detail"]
