"""The contact's timeline: what came of each interaction, with who and when, each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from crm_pwa import clock
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.domain.days import local_day
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_team, make_user

API = "/api/v1"
REP = "riley@example.com"
MANAGER = "morgan@example.com"


class World:
    def __init__(self, client: TestClient, session: Session) -> None:
        team = make_team(session)
        self.client = client
        self.rep = make_user(session, REP, team=team, name="Riley Chen")
        self.manager = make_user(session, MANAGER, role="manager", team=team, name="Morgan Lee")
        self.dana = make_contact(session, self.rep, "Dana Reyes", kind="prospect", tier="medium")
        self.headers = bearer(client, REP)

    def send(self, method: str, path: str, body: Any = None, headers: Any = None) -> Any:
        answer = self.client.request(
            method, f"{API}{path}", json=body, headers=headers or self.headers
        )
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def events(self) -> list[dict[str, Any]]:
        card = self.send("GET", f"/contacts/{self.dana.id}/timeline")
        events: list[dict[str, Any]] = card["events"]
        return events

    def texts(self) -> list[str]:
        return [event["text"] for event in self.events()]

    def complaint(self, summary: str) -> str:
        created = self.send("POST", f"/contacts/{self.dana.id}/complaints", {"summary": summary})
        return str(created["id"])

    def opportunity(self, title: str, stage: str = "lead") -> str:
        created = self.send(
            "POST", f"/contacts/{self.dana.id}/opportunities", {"title": title, "stage": stage}
        )
        return str(created["id"])

    def follow_up(self, title: str) -> str:
        due_on = (local_day(clock.now(), "UTC") + timedelta(days=3)).isoformat()
        created = self.send(
            "POST", f"/contacts/{self.dana.id}/follow-ups", {"title": title, "due_on": due_on}
        )
        return str(created["id"])


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    return World(client, session)


def test_complaint_opened_and_resolved_each_appear_with_who_and_when(world: World) -> None:
    before = clock.now()
    complaint = world.complaint("Invoice sent twice")
    world.send("POST", f"/complaints/{complaint}/resolve", {"resolution": "Refunded"})

    events = world.events()

    assert [event["text"] for event in events] == [
        "Complaint resolved: Invoice sent twice",
        "Complaint opened: Invoice sent twice",
    ]
    assert {event["kind"] for event in events} == {"complaint_opened", "complaint_resolved"}
    assert all(event["actor_name"] == "Riley Chen" for event in events)
    assert all(datetime.fromisoformat(event["at"]) >= before for event in events)


def test_stage_change_and_loss_appear_and_an_unmoved_stage_adds_nothing(world: World) -> None:
    deal = world.opportunity("Fleet renewal")
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "proposal"})
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "proposal", "title": "Fleet renewal"})
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "lost"})

    assert world.texts() == [
        "Opportunity “Fleet renewal” lost",
        "Opportunity “Fleet renewal” moved from Lead to Proposal",
    ]


def test_a_win_makes_the_prospect_a_customer_and_says_so_once(world: World) -> None:
    deal = world.opportunity("Fleet renewal", stage="proposal")
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "won"})
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "won"})
    second = world.opportunity("Spare parts", stage="won")

    texts = world.texts()
    card = world.send("GET", f"/contacts/{world.dana.id}")

    assert card["kind"] == "customer"
    assert sorted(texts) == sorted(
        [
            "Opportunity “Spare parts” won",
            "Became a customer: won “Fleet renewal”",
            "Opportunity “Fleet renewal” won",
        ]
    )
    assert second


def test_follow_up_done_and_snoozed_appear_once_when_synced_twice(world: World) -> None:
    call = world.follow_up("Call about the quote")
    visit = world.follow_up("Visit the depot")
    changed_at = clock.now().astimezone(UTC).isoformat()
    until = (local_day(clock.now(), "UTC") + timedelta(days=7)).isoformat()
    batch = {
        "follow_up_updates": [
            {"id": call, "status": "done", "changed_at": changed_at},
            {"id": visit, "status": "snoozed", "snooze_until": until, "changed_at": changed_at},
        ]
    }
    world.send("POST", "/sync", batch)
    world.send("POST", "/sync", batch)
    world.send("PATCH", f"/follow-ups/{call}", {"status": "done", "changed_at": changed_at})

    assert sorted(world.texts()) == [
        "Follow-up done: Call about the quote",
        f"Follow-up snoozed until {until}: Visit the depot",
    ]


def test_edits_to_tier_and_kind_appear_with_the_manager_who_made_them(
    world: World, client: TestClient
) -> None:
    manager = bearer(client, MANAGER)
    path = f"/contacts/{world.dana.id}"
    world.send("PATCH", path, {"tier": "high", "kind": "partner"}, headers=manager)
    world.send("PATCH", path, {"tier": "high", "name": "Dana M. Reyes"}, headers=manager)

    events = world.events()

    assert sorted(event["text"] for event in events) == [
        "Changed from Prospect to Partner",
        "Tier changed from Medium to High",
    ]
    assert {event["actor_name"] for event in events} == {"Morgan Lee"}


def test_acceptance_the_diary_shows_each_outcome_once(world: World) -> None:
    complaint = world.complaint("Late delivery")
    world.send("POST", f"/complaints/{complaint}/resolve", {"resolution": "Sent a courier"})
    deal = world.opportunity("Fleet renewal")
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "proposal"})
    world.send("PATCH", f"/opportunities/{deal}", {"stage": "won"})
    call = world.follow_up("Call about the quote")
    change = {"id": call, "status": "done", "changed_at": clock.now().isoformat()}
    world.send("POST", "/sync", {"follow_up_updates": [change]})
    world.send("POST", "/sync", {"follow_up_updates": [change]})

    texts = world.texts()

    assert sorted(texts) == sorted(
        [
            "Complaint opened: Late delivery",
            "Complaint resolved: Late delivery",
            "Opportunity “Fleet renewal” moved from Lead to Proposal",
            "Opportunity “Fleet renewal” won",
            "Became a customer: won “Fleet renewal”",
            "Follow-up done: Call about the quote",
        ]
    )


def test_erasing_the_contact_erases_its_timeline(world: World, db: Database) -> None:
    world.complaint("Invoice sent twice")
    world.send("PATCH", f"/contacts/{world.dana.id}", {"tier": "high"})

    answer = world.client.delete(f"{API}/contacts/{world.dana.id}", headers=world.headers)

    assert answer.status_code == 204
    with db.session() as session:
        left = session.exec(select(func.count()).select_from(TimelineEvent)).one()
    assert left == 0


def test_a_merge_keeps_the_other_contacts_diary(world: World, session: Session) -> None:
    other = make_contact(session, world.rep, "Dana Reyes (phone)")
    answer = world.client.post(
        f"{API}/contacts/{other.id}/complaints",
        json={"summary": "Wrong invoice"},
        headers=world.headers,
    )
    assert answer.status_code == 201, answer.text

    world.send("POST", f"/contacts/{world.dana.id}/merge", {"other_id": str(other.id)})

    assert world.texts() == ["Complaint opened: Wrong invoice"]
