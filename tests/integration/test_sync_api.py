"""POST /api/v1/sync as the phone's outbox uses it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.api.app import create_api
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.domain.days import local_day
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_user

SYNC = "/api/v1/sync"
REP = "riley@example.com"
OTHER_REP = "sam@example.com"


class World:
    def __init__(self, client: TestClient, session: Session) -> None:
        self.rep = make_user(session, REP)
        self.other = make_user(session, OTHER_REP)
        self.dana = make_contact(session, self.rep, "Dana Reyes")
        self.lee = make_contact(session, self.rep, "Lee Park")
        self.foreign = make_contact(session, self.other, "Ola Berg")
        self.client = client
        self.headers = bearer(client, REP)

    @property
    def other_headers(self) -> dict[str, str]:
        return bearer(self.client, OTHER_REP)


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    return World(client, session)


def ago(**delta: float) -> str:
    return (clock.now() - timedelta(**delta)).isoformat()


def note(contact: Contact | uuid.UUID, **fields: Any) -> dict[str, Any]:
    contact_id = contact.id if isinstance(contact, Contact) else contact
    item: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "contact_id": str(contact_id),
        "kind": "meeting",
        "direction": "outbound",
        "occurred_at": ago(hours=1),
        "summary": "Walked the site; they want the quote by Friday.",
        "sentiment": "positive",
        "follow_up": None,
    }
    item.update(fields)
    return item


def with_follow_up(contact: Contact, due_on: date | None = None, **fields: Any) -> dict[str, Any]:
    due = due_on or local_day(clock.now(), "UTC") + timedelta(days=7)
    follow_up = {"id": str(uuid.uuid4()), "due_on": due.isoformat(), "title": "Send the quote"}
    return note(contact, follow_up=follow_up, **fields)


def body(interactions: list[Any] | None = None, updates: list[Any] | None = None) -> dict[str, Any]:
    return {"interactions": interactions or [], "follow_up_updates": updates or []}


def row_counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        notes = session.exec(select(func.count()).select_from(Interaction)).one()
        follow_ups = session.exec(select(func.count()).select_from(FollowUp)).one()
    return notes, follow_ups


def flush(client: TestClient, headers: dict[str, str], payload: Any) -> list[dict[str, Any]]:
    answer = client.post(SYNC, json=payload, headers=headers)
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def test_notes_and_follow_ups_are_stored_when_a_batch_is_synced(
    client: TestClient, world: World, db: Database
) -> None:
    first = with_follow_up(world.dana, summary="  Signed the renewal  ")
    second = note(world.lee, kind="call", direction="inbound", sentiment="negative")
    results = flush(client, world.headers, body([first, second]))

    assert results == [
        {"id": first["id"], "status": "created", "error": None},
        {"id": second["id"], "status": "created", "error": None},
    ]
    with db.session() as session:
        stored = session.get(Interaction, uuid.UUID(first["id"]))
        assert stored is not None and stored.summary == "Signed the renewal"
        assert stored.author_id == world.rep.id
        follow_up = session.get(FollowUp, uuid.UUID(first["follow_up"]["id"]))
        assert follow_up is not None
        assert (follow_up.status, follow_up.owner_id, follow_up.interaction_id) == (
            "open",
            world.rep.id,
            stored.id,
        )
        dana = session.get(Contact, world.dana.id)
        assert dana is not None
        assert dana.last_interaction_at == datetime.fromisoformat(first["occurred_at"])
        assert dana.health_band != "new" and dana.health_score is not None


def test_second_flush_is_all_duplicate_and_stores_nothing_when_the_same_body_is_replayed(
    client: TestClient, world: World, db: Database
) -> None:
    notes = [with_follow_up(world.dana), note(world.lee), note(world.dana, kind="email")]
    change = {
        "id": notes[0]["follow_up"]["id"],
        "status": "done",
        "snooze_until": None,
        "changed_at": ago(minutes=1),
    }
    payload = body(notes, [change])
    assert [r["status"] for r in flush(client, world.headers, payload)] == ["created"] * 3 + [
        "updated"
    ]
    counts = row_counts(db)

    replay = flush(client, world.headers, payload)

    assert [r["status"] for r in replay] == ["duplicate"] * 4
    assert [r["id"] for r in replay] == [n["id"] for n in notes] + [change["id"]]
    assert row_counts(db) == counts == (3, 1)


def test_bad_item_is_rejected_with_its_reason_and_the_others_stored_when_one_is_invalid(
    client: TestClient, world: World, db: Database
) -> None:
    good, bad, also_good = note(world.dana), note(world.dana, kind="lunch"), note(world.lee)
    results = flush(client, world.headers, body([good, bad, also_good]))

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["id"] == bad["id"]
    assert "kind must be one of meeting, call, email, message, visit, note" in results[1]["error"]
    assert row_counts(db) == (2, 0)


def test_item_that_is_not_an_object_is_rejected_when_the_rest_are_fine(
    client: TestClient, world: World, db: Database
) -> None:
    good = note(world.dana)
    results = flush(client, world.headers, body([good, "hello", 42], ["done"]))

    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "rejected"]
    assert results[1] == {
        "id": None,
        "status": "rejected",
        "error": "Each interaction must be a JSON object.",
    }
    assert results[3]["error"] == "Each follow-up update must be a JSON object."
    assert row_counts(db) == (1, 0)


def test_missing_and_malformed_fields_are_named_when_an_item_is_rejected(
    client: TestClient, world: World
) -> None:
    no_contact = note(world.dana)
    del no_contact["contact_id"]
    naive = note(world.dana, occurred_at="2026-11-23T09:00:00")
    future = note(world.dana, occurred_at=(clock.now() + timedelta(days=2)).isoformat())
    bad_id = note(world.dana, id="not-a-uuid")
    results = flush(client, world.headers, body([no_contact, naive, future, bad_id]))

    assert [r["status"] for r in results] == ["rejected"] * 4
    assert results[0]["error"] == "contact_id: Field required"
    assert "offset" in results[1]["error"]
    assert "future" in results[2]["error"]
    assert results[3]["id"] == "not-a-uuid" and results[3]["error"].startswith("id: ")


def test_note_is_rejected_when_its_summary_is_over_10000_characters(
    client: TestClient, world: World, db: Database
) -> None:
    longest, too_long = (
        note(world.dana, summary="é" * 10_000),
        note(world.dana, summary="x" * 10_001),
    )
    results = flush(client, world.headers, body([longest, too_long]))

    assert [r["status"] for r in results] == ["created", "rejected"]
    assert "at most 10,000 characters" in results[1]["error"]
    assert row_counts(db) == (1, 0)


def test_unknown_and_foreign_contacts_are_rejected_alike_when_notes_name_them(
    client: TestClient, world: World, db: Database
) -> None:
    unknown, foreign = note(uuid.uuid4()), note(world.foreign)
    results = flush(client, world.headers, body([unknown, foreign]))

    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[0]["error"] == results[1]["error"] == "Contact not found."
    assert row_counts(db) == (0, 0)


def test_note_is_kept_and_its_next_step_alone_refused_in_plain_words_when_the_step_is_bad(
    client: TestClient, world: World, db: Database
) -> None:
    past = with_follow_up(world.dana, due_on=local_day(clock.now(), "UTC") - timedelta(days=30))
    far = with_follow_up(world.dana, due_on=local_day(clock.now(), "UTC") + timedelta(days=800))
    untitled = with_follow_up(world.dana)
    untitled["follow_up"]["title"] = "   "
    undated = with_follow_up(world.lee)
    undated["follow_up"]["due_on"] = "next week"
    ancient = with_follow_up(world.lee)
    ancient["follow_up"]["due_on"] = "0001-01-01"
    good = with_follow_up(world.lee)
    items = [past, far, untitled, undated, ancient, good]

    results = flush(client, world.headers, body(items))

    assert [r["status"] for r in results] == ["created"] * 6
    assert [r["id"] for r in results] == [item["id"] for item in items]
    refusals = [r.get("follow_up") for r in results]
    assert "follow_up" not in results[5]
    for refusal, item in zip(refusals[:5], items, strict=False):
        assert refusal is not None and refusal["id"] == item["follow_up"]["id"]
        assert refusal["status"] == "rejected"
        assert refusal["error"].startswith("The note is saved, but not its next step: ")
        assert "due_on" not in refusal["error"]
    day = local_day(clock.now(), "UTC") - timedelta(days=30)
    assert f"{day.day} {day:%b %Y}, has already passed" in refusals[0]["error"]
    assert "more than 2 years away" in refusals[1]["error"]
    assert "title is empty" in refusals[2]["error"]
    assert "its date is missing or not a date" in refusals[3]["error"]
    assert "between 1900 and 2100" in refusals[4]["error"]
    assert row_counts(db) == (6, 1)
    # Sent again (the answer was lost): still the note's duplicate, still the refusal.
    replay = flush(client, world.headers, body([past]))
    assert replay[0]["status"] == "duplicate" and replay[0]["follow_up"] == refusals[0]


@pytest.mark.parametrize(
    ("zone", "local_note_time"),
    [
        # 17:00 in Los Angeles is already tomorrow in UTC.
        ("America/Los_Angeles", "T17:00:00-08:00"),
        # 08:00 in Auckland is still yesterday in UTC.
        ("Pacific/Auckland", "T08:00:00+13:00"),
        ("Asia/Kolkata", "T23:45:00+05:30"),
    ],
)
def test_next_step_for_the_reps_own_today_is_kept_whatever_their_zone(
    client: TestClient,
    world: World,
    db: Database,
    session: Session,
    zone: str,
    local_note_time: str,
) -> None:
    world.rep.time_zone = zone
    session.add(world.rep)
    session.commit()
    rep_today = clock.now().astimezone(ZoneInfo(zone)).date()
    occurred = datetime.fromisoformat(rep_today.isoformat() + local_note_time)
    if occurred > clock.now():
        occurred -= timedelta(days=1)
        rep_today -= timedelta(days=1)
    today_step = with_follow_up(world.dana, due_on=rep_today, occurred_at=occurred.isoformat())
    yesterday_step = with_follow_up(
        world.dana, due_on=rep_today - timedelta(days=1), occurred_at=occurred.isoformat()
    )

    results = flush(client, world.headers, body([today_step, yesterday_step]))

    assert [r["status"] for r in results] == ["created", "created"]
    assert "follow_up" not in results[0]
    assert "has already passed" in results[1]["follow_up"]["error"]
    assert row_counts(db) == (2, 1)


def test_note_is_kept_and_its_next_step_refused_when_the_follow_up_id_is_taken(
    client: TestClient, world: World, db: Database
) -> None:
    first = with_follow_up(world.dana)
    flush(client, world.headers, body([first]))
    thief = with_follow_up(world.lee)
    thief["follow_up"]["id"] = first["follow_up"]["id"]

    results = flush(client, world.headers, body([thief]))

    assert results[0]["status"] == "created"
    assert "id is already used" in results[0]["follow_up"]["error"]
    assert row_counts(db) == (2, 1)
    assert stored_follow_up(db, first["follow_up"]["id"]).contact_id == world.dana.id


def test_note_id_of_another_rep_is_rejected_and_never_overwritten_when_reused(
    client: TestClient, world: World, db: Database
) -> None:
    theirs = note(world.foreign, summary="Ola's own words")
    flush(client, world.other_headers, body([theirs]))
    mine = note(world.dana, id=theirs["id"], summary="Overwrite attempt")

    results = flush(client, world.headers, body([mine]))

    assert results[0]["status"] == "rejected" and "already used" in results[0]["error"]
    with db.session() as session:
        stored = session.get(Interaction, uuid.UUID(theirs["id"]))
        assert stored is not None and stored.summary == "Ola's own words"


def test_follow_up_change_is_ignored_when_older_than_the_stored_one(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana)
    follow_up_id = item["follow_up"]["id"]
    flush(client, world.headers, body([item]))
    snooze_until = (local_day(clock.now(), "UTC") + timedelta(days=3)).isoformat()
    snooze = {
        "id": follow_up_id,
        "status": "snoozed",
        "snooze_until": snooze_until,
        "changed_at": ago(minutes=10),
    }
    done_earlier = {"id": follow_up_id, "status": "done", "changed_at": ago(minutes=20)}
    same_time = {**done_earlier, "changed_at": snooze["changed_at"]}

    results = flush(client, world.headers, body(updates=[snooze, done_earlier, same_time]))

    assert [r["status"] for r in results] == ["updated", "duplicate", "duplicate"]
    with db.session() as session:
        stored = session.get(FollowUp, uuid.UUID(follow_up_id))
        assert stored is not None
        assert (stored.status, stored.snooze_until, stored.done_on) == (
            "snoozed",
            date.fromisoformat(snooze_until),
            None,
        )


def test_follow_up_change_is_applied_when_newer_than_the_stored_one(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana)
    follow_up_id = item["follow_up"]["id"]
    flush(client, world.headers, body([item]))
    snooze = {
        "id": follow_up_id,
        "status": "snoozed",
        "snooze_until": (local_day(clock.now(), "UTC") + timedelta(days=3)).isoformat(),
        "changed_at": ago(minutes=10),
    }
    done_later = {"id": follow_up_id, "status": "done", "changed_at": ago(minutes=1)}

    results = flush(client, world.headers, body(updates=[snooze, done_later]))

    assert [r["status"] for r in results] == ["updated", "updated"]
    with db.session() as session:
        stored = session.get(FollowUp, uuid.UUID(follow_up_id))
        assert stored is not None
        assert (stored.status, stored.snooze_until, stored.done_on) == (
            "done",
            None,
            local_day(clock.now(), "UTC"),
        )


def test_done_tapped_offline_right_after_logging_applies_when_both_sync_together(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana, occurred_at=ago(minutes=3))
    done = {"id": item["follow_up"]["id"], "status": "done", "changed_at": ago(minutes=2)}

    results = flush(client, world.headers, body([item], [done]))

    assert [r["status"] for r in results] == ["created", "updated"]


def test_follow_up_changes_are_rejected_when_unknown_foreign_or_invalid(
    client: TestClient, world: World, db: Database
) -> None:
    theirs = with_follow_up(world.foreign)
    flush(client, world.other_headers, body([theirs]))
    mine = with_follow_up(world.dana)
    flush(client, world.headers, body([mine]))
    now = ago(seconds=1)
    updates = [
        {"id": str(uuid.uuid4()), "status": "done", "changed_at": now},
        {"id": theirs["follow_up"]["id"], "status": "done", "changed_at": now},
        {"id": mine["follow_up"]["id"], "status": "snoozed", "changed_at": now},
        {"id": mine["follow_up"]["id"], "status": "finished", "changed_at": now},
        {"id": mine["follow_up"]["id"], "status": "done", "changed_at": "2026-11-23T09:00:00"},
    ]

    results = flush(client, world.headers, body(updates=updates))

    assert [r["status"] for r in results] == ["rejected"] * 5
    assert results[0]["error"] == results[1]["error"] == "Follow-up not found."
    assert "until when" in results[2]["error"]
    assert "status must be one of open, done, snoozed" in results[3]["error"]
    assert "offset" in results[4]["error"]
    with db.session() as session:
        stored = session.get(FollowUp, uuid.UUID(theirs["follow_up"]["id"]))
        assert stored is not None and stored.status == "open"


def test_whole_batch_is_refused_with_413_and_nothing_stored_when_it_has_1001_items(
    client: TestClient, world: World, db: Database
) -> None:
    notes = [note(world.dana) for _ in range(1000)]
    update = {"id": str(uuid.uuid4()), "status": "done", "changed_at": ago(minutes=1)}

    answer = client.post(SYNC, json=body(notes, [update]), headers=world.headers)

    assert answer.status_code == 413
    assert "at most 1,000 items" in answer.json()["detail"]
    assert row_counts(db) == (0, 0)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"interactions": [',
        b"not json at all",
        b"[]",
        b'{"interactions": {"id": "x"}}',
        b'{"interactions": [], "follow_up_updates": "done"}',
        b'{"notes": []}',
    ],
)
def test_request_is_refused_with_422_when_the_body_is_malformed_or_misshapen(
    client: TestClient, world: World, db: Database, raw: bytes
) -> None:
    headers = {**world.headers, "Content-Type": "application/json"}
    answer = client.post(SYNC, content=raw, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["detail"]
    assert row_counts(db) == (0, 0)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
def test_sync_is_refused_with_401_when_the_token_is_missing_or_wrong(
    client: TestClient, world: World, db: Database, headers: dict[str, str]
) -> None:
    answer = client.post(SYNC, json=body([note(world.dana)]), headers=headers)
    assert answer.status_code == 401
    assert row_counts(db) == (0, 0)


def test_each_note_is_stored_once_when_two_connections_flush_the_same_batch_together(
    world: World, db: Database
) -> None:
    notes = [with_follow_up(world.dana) if i % 3 == 0 else note(world.lee) for i in range(60)]
    payload = body(notes)
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []
    errors: list[BaseException] = []

    def flush_from_a_phone(phone: TestClient) -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(phone.post(SYNC, json=payload, headers=world.headers))
        except BaseException as error:  # surfaced below, with the thread's own traceback
            errors.append(error)

    # Each phone is its own app, client and database connection. FastAPI builds
    # a route's body validator on the first request, and two threads doing that
    # at once trip a spurious pydantic warning, so each app has served one empty
    # flush before the race starts.
    with TestClient(create_api()) as first, TestClient(create_api()) as second:
        for phone in (first, second):
            assert flush(phone, world.headers, body()) == []
        threads = [threading.Thread(target=flush_from_a_phone, args=(p,)) for p in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    per_note: dict[str, list[str]] = {n["id"]: [] for n in notes}
    for answer in answers:
        results = answer.json()["results"]
        assert [r["id"] for r in results] == [n["id"] for n in notes]
        for result in results:
            per_note[result["id"]].append(result["status"])
    assert all(sorted(s) == ["created", "duplicate"] for s in per_note.values()), Counter(
        tuple(sorted(s)) for s in per_note.values()
    )
    assert row_counts(db) == (60, 20)


def test_repeated_note_id_is_answered_like_a_replay_when_it_recurs_in_one_batch(
    client: TestClient, world: World, db: Database
) -> None:
    first = note(world.dana)
    same = dict(first)
    elsewhere = {**first, "contact_id": str(world.lee.id)}

    results = flush(client, world.headers, body([first, same, elsewhere]))

    assert [r["status"] for r in results] == ["created", "duplicate", "conflict"]
    assert row_counts(db) == (1, 0)


def test_note_id_sent_again_with_other_content_is_a_conflict_and_the_first_copy_stays(
    client: TestClient, world: World, db: Database
) -> None:
    first = note(world.dana, summary="Walked the site.")
    flush(client, world.headers, body([first]))
    edited = {**first, "summary": "Walked the site; they want the quote by Friday."}
    # The same instant with another offset is the same note, not a change.
    shifted = {
        **first,
        "occurred_at": datetime.fromisoformat(first["occurred_at"])
        .astimezone(ZoneInfo("Pacific/Auckland"))
        .isoformat(),
    }

    results = flush(client, world.headers, body([edited, shifted, first]))

    assert [r["status"] for r in results] == ["conflict", "duplicate", "duplicate"]
    assert results[0]["id"] == first["id"]
    assert "different note with this id was already saved" in results[0]["error"]
    with db.session() as session:
        stored = session.get(Interaction, uuid.UUID(first["id"]))
        assert stored is not None and stored.summary == "Walked the site."
    assert row_counts(db) == (1, 0)


def test_second_note_is_kept_without_its_step_when_two_notes_of_a_batch_share_a_follow_up_id(
    client: TestClient, world: World, db: Database
) -> None:
    first, second = with_follow_up(world.dana), with_follow_up(world.lee)
    second["follow_up"]["id"] = first["follow_up"]["id"]

    results = flush(client, world.headers, body([first, second]))

    assert [r["status"] for r in results] == ["created", "created"]
    assert "follow_up" not in results[0]
    assert "id is already used" in results[1]["follow_up"]["error"]
    assert row_counts(db) == (2, 1)


@pytest.fixture
def refusing_database(db: Database) -> Iterator[str]:
    """A trigger that makes the database itself refuse one summary, as a constraint would."""
    poison = "the database refuses this summary"
    with db.engine.begin() as connection:
        if db.kind == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_note BEFORE INSERT ON interaction "
                f"WHEN NEW.summary = '{poison}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.summary = '{poison}' THEN "
                "RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_note BEFORE INSERT ON interaction "
                "FOR EACH ROW EXECUTE FUNCTION refuse_note()"
            )
    yield poison
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "DROP TRIGGER refuse_note"
            if db.kind == "sqlite"
            else "DROP TRIGGER refuse_note ON interaction; DROP FUNCTION refuse_note()"
        )


def test_others_are_stored_and_one_rejected_whole_when_the_database_refuses_one_note(
    client: TestClient, world: World, db: Database, refusing_database: str
) -> None:
    good, refused, also_good = (
        with_follow_up(world.dana),
        with_follow_up(world.dana, summary=refusing_database),
        with_follow_up(world.lee),
    )

    results = flush(client, world.headers, body([good, refused, also_good]))

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["error"] == "The database refused this note; check its values."
    assert row_counts(db) == (2, 2)
    assert [r["status"] for r in flush(client, world.headers, body([good, also_good]))] == [
        "duplicate",
        "duplicate",
    ]


def test_done_made_offline_two_days_ago_records_that_day_when_it_syncs_today(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana, occurred_at=ago(days=3))
    done = {"id": item["follow_up"]["id"], "status": "done", "changed_at": ago(days=2)}

    results = flush(client, world.headers, body([item], [done]))

    assert [r["status"] for r in results] == ["created", "updated"]
    assert stored_follow_up(db, done["id"]).done_on == (clock.now() - timedelta(days=2)).date()


def stored_follow_up(db: Database, follow_up_id: str) -> FollowUp:
    with db.session() as session:
        follow_up = session.get(FollowUp, uuid.UUID(follow_up_id))
    assert follow_up is not None
    return follow_up


def test_poisoned_items_are_rejected_in_words_and_the_good_ones_stored_in_the_same_batch(
    client: TestClient, world: World, db: Database
) -> None:
    good = [note(world.dana), with_follow_up(world.lee), note(world.lee, kind="call")]
    poisoned = [
        note(world.dana, occurred_at="0001-01-01T00:00:00+00:00"),
        note(world.dana, occurred_at="0001-01-01T00:30:00+01:00"),
        note(world.dana, occurred_at="9999-12-31T23:59:59-01:00"),
        note(world.dana, summary="a \ud83d b"),
        note(world.dana, summary="a \x00 b"),
        note(world.dana, summary="invoice \u202egpj.exe"),
        note(world.dana, id="\ud800"),
    ]
    updates = [
        {"id": good[1]["follow_up"]["id"], "status": "done", "changed_at": "0001-01-01T00:00:00Z"},
        {"id": "\udfff", "status": "done", "changed_at": ago(minutes=1)},
    ]
    items = [good[0], *poisoned[:4], good[1], *poisoned[4:], good[2]]
    # As text with `\ud83d` escapes: the server receives lone surrogates, as from a broken phone.
    raw = json.dumps(body(items, updates), ensure_ascii=True)

    answer = client.post(
        SYNC, content=raw, headers={**world.headers, "Content-Type": "application/json"}
    )

    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    statuses = [r["status"] for r in results]
    assert statuses == ["created"] + ["rejected"] * 4 + ["created"] + ["rejected"] * 3 + [
        "created",
        "rejected",
        "rejected",
    ]
    errors = [r["error"] for r in results if r["status"] == "rejected"]
    assert all("between 1900 and 2100" in error for error in errors[:3] + errors[7:8])
    assert "broken character" in errors[3] and "NUL character" in errors[4]
    assert "reverses the text direction" in errors[5]
    # An id that cannot be sent back is answered without it rather than not at all.
    assert results[8]["id"] is None and results[11]["id"] is None
    assert row_counts(db) == (3, 1)
    assert stored_follow_up(db, good[1]["follow_up"]["id"]).status == "open"


def test_follow_up_change_from_a_fast_clock_does_not_freeze_it_when_synced(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana)
    follow_up_id = item["follow_up"]["id"]
    flush(client, world.headers, body([item]))
    ahead = (clock.now() + timedelta(hours=5)).isoformat()
    done = {"id": follow_up_id, "status": "done", "changed_at": ahead}
    assert flush(client, world.headers, body(updates=[done]))[0]["status"] == "updated"
    assert stored_follow_up(db, follow_up_id).changed_at <= clock.now()

    # A minute later another phone, on time, reopens it.
    reopen = {"id": follow_up_id, "status": "open", "changed_at": clock.now().isoformat()}
    assert flush(client, world.headers, body(updates=[reopen]))[0]["status"] == "updated"
    assert stored_follow_up(db, follow_up_id).status == "open"


def test_follow_up_patch_from_a_fast_clock_does_not_freeze_it_for_the_next_patch(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana)
    follow_up_id = item["follow_up"]["id"]
    flush(client, world.headers, body([item]))
    url = f"/api/v1/follow-ups/{follow_up_id}"
    ahead = (clock.now() + timedelta(hours=5)).isoformat()

    first = client.patch(url, json={"status": "done", "changed_at": ahead}, headers=world.headers)
    assert first.status_code == 200 and first.json()["status"] == "done"
    second = client.patch(url, json={"status": "open"}, headers=world.headers)

    assert second.status_code == 200
    assert second.json()["status"] == "open"
    assert stored_follow_up(db, follow_up_id).status == "open"


def _durability_at_commit(db: Database) -> tuple[list[str], Any]:
    """What each commit of the engine is made with: SQLite's synchronous level, or
    PostgreSQL's synchronous_commit; the listener to remove afterwards."""
    seen: list[str] = []

    def record(connection: Any) -> None:
        raw = connection.connection.dbapi_connection
        query = "PRAGMA synchronous" if db.kind == "sqlite" else "SHOW synchronous_commit"
        cursor = raw.cursor()
        cursor.execute(query)
        seen.append(str(cursor.fetchone()[0]))
        cursor.close()

    sa.event.listen(db.engine, "commit", record)
    return seen, record


def test_acknowledged_notes_and_follow_up_changes_are_committed_to_survive_a_power_cut(
    client: TestClient, world: World, db: Database
) -> None:
    item = with_follow_up(world.dana)
    done = {"id": item["follow_up"]["id"], "status": "done", "changed_at": ago(seconds=1)}
    seen, listener = _durability_at_commit(db)
    try:
        assert [r["status"] for r in flush(client, world.headers, body([item]))] == ["created"]
        flush(client, world.headers, body(updates=[done]))
        answer = client.patch(
            f"/api/v1/follow-ups/{item['follow_up']['id']}",
            json={"status": "open"},
            headers=world.headers,
        )
        assert answer.status_code == 200
    finally:
        sa.event.remove(db.engine, "commit", listener)

    # The three writes the phone is told about, each committed durably: SQLite
    # syncs its write-ahead log at every commit (FULL = 2, NORMAL = 1 would not).
    durable = "2" if db.kind == "sqlite" else "on"
    assert seen[-3:] == [durable] * 3, seen
