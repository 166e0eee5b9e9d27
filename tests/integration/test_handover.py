"""POST /api/v1/users/{id}/handover: a book moves whole or in part, in one step, and only
for those who may move it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_pwa import clock
from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.contact import Contact, ContactSearchTerm, Shelf
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.services import push
from crm_pwa.services.actor import Actor
from crm_pwa.services.reminders import run_reminders
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import NOW, bearer, make_contact, make_team, make_user
from tests.utils.push_service import FakePushService

TODAY = NOW.date()


def path(user: User) -> str:
    return f"/api/v1/users/{user.id}/handover"


@dataclass
class People:
    admin: User
    west_manager: User
    sam: User
    riley: User
    east_manager: User
    erin: User


@pytest.fixture
def people(session: Session) -> People:
    west, east = make_team(session, "West"), make_team(session, "East")
    return People(
        admin=make_user(session, "ada@example.com", role="admin", name="Ada Admin"),
        west_manager=make_user(session, "morgan@example.com", "manager", west, "Morgan Lee"),
        sam=make_user(session, "sam@example.com", "rep", west, "Sam Okafor"),
        riley=make_user(session, "riley@example.com", "rep", west, "Riley Chen"),
        east_manager=make_user(session, "eve@example.com", "manager", east, "Eve Stone"),
        erin=make_user(session, "erin@example.com", "rep", east, "Erin Park"),
    )


def follow_up(
    session: Session,
    contact: Contact,
    due_on: date,
    status: str = "open",
    title: str = "Send the revised quote",
    **fields: Any,
) -> FollowUp:
    row = FollowUp(
        contact_id=contact.id,
        owner_id=contact.owner_id,
        title=title,
        due_on=due_on,
        status=status,
        changed_at=NOW,
        created_at=NOW,
        **fields,
    )
    session.add(row)
    return row


def fill_book(session: Session, owner: User, contacts: int = 6) -> list[Contact]:
    """A book with something of every kind on each contact: history, promises, a deal."""
    book = []
    for number in range(contacts):
        contact = make_contact(
            session,
            owner,
            f"Client {number} of {owner.name}",
            tier="high" if number % 2 else "low",
            kind="prospect" if number % 3 == 0 else "customer",
            company="Acme" if number < 2 else "Globex",
            tags=["VIP"] if number == 4 else ["trade"],
        )
        session.add(
            Interaction(
                contact_id=contact.id,
                author_id=owner.id,
                kind="call",
                occurred_at=NOW - timedelta(days=3),
                summary="Talked about the renewal",
                created_at=NOW - timedelta(days=3),
            )
        )
        follow_up(session, contact, TODAY + timedelta(days=number))
        follow_up(session, contact, TODAY - timedelta(days=9), status="done", done_on=TODAY)
        session.add(
            Opportunity(
                contact_id=contact.id,
                owner_id=owner.id,
                title="Renewal",
                amount=Decimal("1200.00"),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.add(
            Complaint(
                contact_id=contact.id, owner_id=owner.id, summary="Late delivery", opened_at=NOW
            )
        )
        book.append(contact)
    session.commit()
    return book


def holdings(session: Session, owner: User) -> dict[str, int]:
    """Everything `owner` holds, counted the way a manager would ask."""
    session.expire_all()

    def count(model: Any, *where: Any) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return {
        "contacts": count(Contact, col(Contact.owner_id) == owner.id),
        "open_follow_ups": count(
            FollowUp, col(FollowUp.owner_id) == owner.id, col(FollowUp.status) != "done"
        ),
        "done_follow_ups": count(
            FollowUp, col(FollowUp.owner_id) == owner.id, col(FollowUp.status) == "done"
        ),
        "opportunities": count(Opportunity, col(Opportunity.owner_id) == owner.id),
        "open_complaints": count(
            Complaint, col(Complaint.owner_id) == owner.id, col(Complaint.resolved_at).is_(None)
        ),
        "notes_written": count(Interaction, col(Interaction.author_id) == owner.id),
        # On the owner's shelves, where their search looks.
        "search_terms": session.exec(
            select(func.count())
            .select_from(ContactSearchTerm)
            .join(Shelf, col(Shelf.id) == col(ContactSearchTerm.shelf_id))
            .where(col(Shelf.owner_id) == owner.id)
        ).one(),
    }


def test_whole_book_moves_with_every_open_promise_and_deal_while_history_keeps_its_author(
    client: TestClient, session: Session, people: People
) -> None:
    fill_book(session, people.sam)
    fill_book(session, people.riley, contacts=2)
    sam_before, riley_before = holdings(session, people.sam), holdings(session, people.riley)
    headers = bearer(client, people.west_manager.email)

    answer = client.post(path(people.sam), json={"to": str(people.riley.id)}, headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "contacts": 6,
        "open_follow_ups": 6,
        "opportunities": 6,
        "open_complaints": 6,
        "dry_run": False,
    }
    sam_after, riley_after = holdings(session, people.sam), holdings(session, people.riley)
    for moved in ("contacts", "open_follow_ups", "opportunities", "open_complaints"):
        assert sam_after[moved] == 0
        assert riley_after[moved] == riley_before[moved] + sam_before[moved]
    # What happened stays with whoever did it.
    assert sam_after["done_follow_ups"] == sam_before["done_follow_ups"] == 6
    assert sam_after["notes_written"] == sam_before["notes_written"] == 6
    assert riley_after["search_terms"] == riley_before["search_terms"] + sam_before["search_terms"]
    found = client.get(
        "/api/v1/contacts", params={"q": "client"}, headers=bearer(client, people.riley.email)
    ).json()["items"]
    assert len(found) == 8
    # Moved contacts are news to the receiver's phone: its next sync fetches them.
    moved_here = [item for item in found if item["name"].endswith(people.sam.name)]
    assert len(moved_here) == 6
    assert all(datetime.fromisoformat(item["updated_at"]) > NOW for item in moved_here)
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "book.handed_over")).all()
    assert (event.user_id, event.object_id) == (people.west_manager.id, str(people.sam.id))
    assert event.detail["to"] == str(people.riley.id)
    assert event.detail["contacts"] == 6
    assert "Client" not in str(event.detail)


def test_preview_counts_what_would_move_and_changes_nothing_when_dry_run(
    client: TestClient, session: Session, people: People
) -> None:
    fill_book(session, people.sam)
    before = holdings(session, people.sam)

    answer = client.post(
        path(people.sam),
        json={"to": str(people.riley.id), "dry_run": True, "filter": {"tier": "high"}},
        headers=bearer(client, people.admin.email),
    )

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "contacts": 3,
        "open_follow_ups": 3,
        "opportunities": 3,
        "open_complaints": 3,
        "dry_run": True,
    }
    assert holdings(session, people.sam) == before
    assert session.exec(select(AuditEvent).where(AuditEvent.action != "sign_in")).all() == []


FILTERS = [
    ({"tier": "high"}, {"Client 1", "Client 3", "Client 5"}),
    ({"kind": "prospect"}, {"Client 0", "Client 3"}),
    ({"tag": " vip "}, {"Client 4"}),
    ({"company": "ACME"}, {"Client 0", "Client 1"}),
    ({"company": "globex", "tier": "low"}, {"Client 2", "Client 4"}),
]


def test_only_the_chosen_part_moves_when_a_filter_is_given(
    client: TestClient, session: Session, people: People
) -> None:
    fill_book(session, people.sam)
    headers = bearer(client, people.west_manager.email)
    for chosen, picked in FILTERS:
        preview = client.post(
            path(people.sam),
            json={"to": str(people.riley.id), "filter": chosen, "dry_run": True},
            headers=headers,
        ).json()
        assert (preview["contacts"], preview["open_follow_ups"]) == (len(picked), len(picked))

    chosen, picked = FILTERS[-1]
    answer = client.post(
        path(people.sam), json={"to": str(people.riley.id), "filter": chosen}, headers=headers
    )

    assert answer.status_code == 200, answer.text
    session.expire_all()
    now_rileys = session.exec(select(Contact.name).where(Contact.owner_id == people.riley.id))
    assert {name.split(" of ")[0] for name in now_rileys} == picked
    assert holdings(session, people.sam)["open_follow_ups"] == 6 - len(picked)


@pytest.fixture
def push_service(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePushService]:
    with FakePushService() as fake:
        monkeypatch.setenv("RAPPORT_PUSH_EXTRA_HOSTS", fake.host)
        get_settings.cache_clear()
        yield fake


def _device(session: Session, service: FakePushService, user: User) -> None:
    push.subscribe(
        session=session,
        actor=Actor.of(user),
        subscription=service.new_browser(user.email.split("@")[0]),
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/130.0 Mobile Safari/537.36",
        now=NOW,
    )
    session.commit()


@dataclass(frozen=True)
class Evening:
    """The receiver's zone, the moment of the handover and their reminder time a minute later."""

    zone: str
    now: datetime
    reminder_time: time


EVENINGS = {
    # 17:30 in Kolkata: the same date as in UTC.
    "kolkata": Evening("Asia/Kolkata", NOW, time(17, 31)),
    # 23:58 on the 23rd in Los Angeles while UTC is already on the 24th.
    "los-angeles-before-midnight": Evening(
        "America/Los_Angeles", datetime(2026, 11, 24, 7, 58, tzinfo=UTC), time(23, 59)
    ),
    # 00:01 on the 24th in Auckland while UTC is still on the 23rd.
    "auckland-after-midnight": Evening(
        "Pacific/Auckland", datetime(2026, 11, 23, 11, 1, tzinfo=UTC), time(0, 2)
    ),
}


@pytest.mark.parametrize("evening", list(EVENINGS))
def test_reminder_due_the_next_minute_reaches_the_new_owner_when_a_book_was_handed_over(
    db: Database,
    client: TestClient,
    session: Session,
    people: People,
    push_service: FakePushService,
    monkeypatch: pytest.MonkeyPatch,
    evening: str,
) -> None:
    zone, now, at = astuple(EVENINGS[evening])
    monkeypatch.setattr(clock, "now", lambda: now)
    sams_day, rileys_day = now.date(), local_day(now, zone)
    # Sam (UTC) has his reminders at noon; Riley's come a minute from now, on Riley's day.
    people.sam.time_zone, people.sam.reminder_time = "UTC", time(12, 0)
    people.riley.time_zone, people.riley.reminder_time = zone, at
    people.riley.quiet_start, people.riley.quiet_end = time(1, 0), time(7, 0)
    session.add_all([people.sam, people.riley])
    contact = make_contact(session, people.sam, "Dana Reyes")
    due_today = follow_up(session, contact, rileys_day, title="Call about the site visit")
    # Sam was reminded of this one on his own day; Riley has not heard of it yet.
    overdue = follow_up(session, contact, rileys_day - timedelta(days=2), last_reminded_on=sams_day)
    # Due on Riley's next day (which is UTC's day in Los Angeles): not yet.
    follow_up(session, contact, rileys_day + timedelta(days=1), title="Later")
    session.commit()
    _device(session, push_service, people.sam)
    _device(session, push_service, people.riley)

    answer = client.post(
        path(people.sam),
        json={"to": str(people.riley.id)},
        headers=bearer(client, people.west_manager.email),
    )
    assert answer.status_code == 200, answer.text

    with httpx.Client() as http:
        first = run_reminders(engine_or_session=db.engine, now=now, client=http)
        sent_first = {push_service.decrypt_json(r)["follow_up_id"] for r in push_service.received}
        later = run_reminders(
            engine_or_session=db.engine, now=now + timedelta(minutes=1), client=http
        )

    assert (first.claimed, later.claimed) == (1, 1)
    assert sent_first == {str(overdue.id)}
    received = [push_service.decrypt_json(request) for request in push_service.received]
    assert [(message["follow_up_id"], message["title"]) for message in received] == [
        (str(overdue.id), "Call back Dana Reyes"),
        (str(due_today.id), "Call back Dana Reyes"),
    ]
    assert {request.path for request in push_service.received} == {"/push/riley"}


# Per caller: the answer for Sam's book (West team), and for a person who does not exist.
ANSWERS = {
    "sam@example.com": (403, 403),  # a rep, even for their own book
    "eve@example.com": (403, 404),  # the manager of another team
    "morgan@example.com": (200, 404),  # the manager of Sam's team
    "ada@example.com": (200, 404),  # an admin
}


@pytest.mark.parametrize("caller", list(ANSWERS))
def test_handover_answers_each_role_as_it_may_when_asked(
    client: TestClient, session: Session, people: People, caller: str
) -> None:
    fill_book(session, people.sam, contacts=2)
    before = holdings(session, people.sam)
    for_sam, for_nobody = ANSWERS[caller]
    headers = bearer(client, caller)
    body = {"to": str(people.riley.id)}

    nobody = client.post(f"/api/v1/users/{uuid.uuid4()}/handover", json=body, headers=headers)
    answer = client.post(path(people.sam), json=body, headers=headers)

    assert (answer.status_code, nobody.status_code) == (for_sam, for_nobody), answer.text
    assert isinstance(nobody.json()["detail"], str)
    if for_sam == 200:
        assert answer.json()["contacts"] == 2
        assert holdings(session, people.sam)["contacts"] == 0
    else:
        assert holdings(session, people.sam) == before
        assert isinstance(answer.json()["detail"], str)


def test_manager_may_not_hand_a_book_out_of_the_team_when_the_receiver_is_elsewhere(
    client: TestClient, session: Session, people: People
) -> None:
    fill_book(session, people.sam, contacts=1)

    answer = client.post(
        path(people.sam),
        json={"to": str(people.erin.id)},
        headers=bearer(client, people.west_manager.email),
    )

    assert answer.status_code == 403
    assert holdings(session, people.erin)["contacts"] == 0


BAD: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"tier": "gold"}}, "Tier must be one of"),
    ({"filter": {"kind": "friend"}}, "Kind must be one of"),
    ({"filter": {"company": "   "}}, "Give a company"),
    ({"to": "self"}, "someone else"),
    ({"to": "inactive"}, "deactivated"),
]


def test_bad_request_is_refused_in_words_and_moves_nothing(
    client: TestClient, session: Session, people: People
) -> None:
    fill_book(session, people.sam, contacts=2)
    people.riley.is_active = False
    session.add(people.riley)
    session.commit()
    before = holdings(session, people.sam)
    headers = bearer(client, people.admin.email)

    for body, words in BAD:
        receiver = {"self": people.sam.id, "inactive": people.riley.id}.get(body.get("to", ""))
        sent = {**body, "to": str(receiver or people.admin.id)}
        answer = client.post(path(people.sam), json=sent, headers=headers)
        assert answer.status_code == 422, answer.text
        assert words in answer.json()["detail"]

    assert holdings(session, people.sam) == before
