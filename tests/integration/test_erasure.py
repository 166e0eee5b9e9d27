"""A person's rights: everything about them in one file, and erasure that leaves nothing.

Acceptance 4 of issue 13: after `DELETE /api/v1/contacts/{id}` no row of any
table of the database, whichever table later issues add, holds the person's
name, e-mail or phone in any form the app stores (search terms and phone
suffixes included), and the audit trail gained exactly one entry, which says
nothing about who the person was.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.db.audit import AuditEvent
from crm_pwa.domain.days import local_day
from crm_pwa.services.snapshot import snapshot_week
from tests.conftest import Database
from tests.utils.factories import bearer, make_user

API = "/api/v1"
REP = "riley@example.com"
ZONE = "Asia/Kolkata"
PERSON = {
    "name": "Zebulon Quist-Marrow",
    "company": "Quistmarrow Cartography",
    "title": "Chief Lighthousekeeper",
    "email": "zebulon.quist@lighthouse.example",
    "phone": "+1 (415) 555-0199",
    "address": "12 Beaconsfield Rd, Nantucket",
    "tags": ["cartography", "lighthouses"],
    "connection_notes": "Zebulon maps every lighthouse on the coast",
    "kind": "prospect",
    "tier": "high",
}
# Every form the app may store them in: as typed, E.164, digits, search-term
# words (lower case) and the longer phone suffixes the search index keeps.
NEEDLES = (
    "zebulon",
    "quist",
    "marrow",
    "quistmarrow",
    "lighthousekeeper",
    "lighthouse.example",
    "+14155550199",
    "14155550199",
    "4155550199",
    "5550199",
    "555-0199",
    "beaconsfield",
)


@dataclass
class Person:
    contact_id: str
    kept_id: str
    headers: dict[str, str]


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _life_of_a_relationship(client: TestClient, session: Session) -> Person:
    """The person with everything the app can hold about them: a merged duplicate, notes,
    follow-ups done and snoozed, a complaint, a won deal, edits, health weeks, an export."""
    rep = make_user(session, REP)
    rep.time_zone = ZONE
    session.add(rep)
    session.commit()
    headers = bearer(client, REP)
    kept = _ok(client.post(f"{API}/contacts", json={"name": "Kept Person"}, headers=headers), 201)
    person = _ok(client.post(f"{API}/contacts", json=PERSON, headers=headers), 201)
    pid = person["id"]
    twin = _ok(
        client.post(
            f"{API}/contacts",
            params={"allow_duplicate": "true"},
            json={"name": "Zeb Quist", "email": PERSON["email"], "connection_notes": "Zebulon"},
            headers=headers,
        ),
        201,
    )
    _ok(client.post(f"{API}/contacts/{pid}/merge", json={"other_id": twin["id"]}, headers=headers))
    now = clock.now()
    today = local_day(now, ZONE)
    sent = _ok(
        client.post(
            f"{API}/sync",
            json={
                "interactions": [
                    {
                        "id": str(uuid.uuid4()),
                        "contact_id": contact,
                        "kind": "visit",
                        "direction": "outbound",
                        "occurred_at": (now - timedelta(days=2)).isoformat(),
                        "summary": f"Zebulon showed the lighthouse charts ({contact[:4]})",
                        "sentiment": "positive",
                        "follow_up": {
                            "id": str(uuid.uuid4()),
                            "due_on": today.isoformat(),
                            "title": "Send Zebulon the atlas quote",
                        },
                    }
                    for contact in (pid, pid)
                ],
                "follow_up_updates": [],
            },
            headers=headers,
        )
    )
    assert [result["status"] for result in sent["results"]] == ["created", "created"]
    follow_ups = _ok(client.get(f"{API}/follow-ups", headers=headers))["items"]
    first, second = (item["id"] for item in follow_ups if item["contact_id"] == pid)
    later = (today + timedelta(days=2)).isoformat()
    snooze = {"status": "snoozed", "snooze_until": later}
    _ok(client.patch(f"{API}/follow-ups/{first}", json=snooze, headers=headers))
    _ok(client.patch(f"{API}/follow-ups/{second}", json={"status": "done"}, headers=headers))
    complaint = _ok(
        client.post(
            f"{API}/contacts/{pid}/complaints",
            json={"summary": "Zebulon's invoice went to Beaconsfield"},
            headers=headers,
        ),
        201,
    )
    _ok(
        client.post(
            f"{API}/complaints/{complaint['id']}/resolve",
            json={"resolution": "Re-sent to Zebulon"},
            headers=headers,
        )
    )
    deal = _ok(
        client.post(
            f"{API}/contacts/{pid}/opportunities",
            json={"title": "Quist lighthouse atlas", "amount": "1200"},
            headers=headers,
        ),
        201,
    )
    _ok(client.patch(f"{API}/opportunities/{deal['id']}", json={"stage": "won"}, headers=headers))
    _ok(client.patch(f"{API}/contacts/{pid}", json={"tier": "medium"}, headers=headers))
    _ok(client.post(f"{API}/me/calendar-feed", headers=headers), 201)
    with Session(session.get_bind()) as writing:
        snapshot_week(session=writing, today=today)
        snapshot_week(session=writing, today=today - timedelta(days=7))
        writing.commit()
    return Person(contact_id=pid, kept_id=kept["id"], headers=headers)


def _cell_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def rows_holding(db: Database, needles: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every cell of every table that holds one of `needles`."""
    found: list[tuple[str, str, str]] = []
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        for table in inspector.get_table_names():
            result = connection.exec_driver_sql(f'SELECT * FROM "{table}"')
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    text = _cell_text(value).casefold()
                    found.extend(
                        (table, column, needle) for needle in needles if needle.casefold() in text
                    )
    return found


def test_erasing_a_person_leaves_no_row_anywhere_that_holds_them_and_one_audit_entry(
    client: TestClient, session: Session, db: Database
) -> None:
    person = _life_of_a_relationship(client, session)
    contact_id = uuid.UUID(person.contact_id)
    ids = (str(contact_id), contact_id.hex)
    before = rows_holding(db, NEEDLES)
    # The scan finds them where they live before the erase: it can see every table.
    tables_before = {table for table, _column, _needle in before}
    assert {"contact", "contactsearchterm", "interaction", "followup", "complaint"} <= tables_before
    assert {"opportunity", "timeline_event"} <= tables_before
    audit_before = session.exec(select(AuditEvent)).all()

    assert client.delete(f"{API}/contacts/{contact_id}", headers=person.headers).status_code == 204

    assert rows_holding(db, NEEDLES) == []
    # Nothing but the audit trail even names the contact's id.
    leftovers = [row for row in rows_holding(db, ids) if row[0] != "auditevent"]
    assert leftovers == []
    session.expire_all()
    audit_after = session.exec(select(AuditEvent)).all()
    new = [entry for entry in audit_after if entry.id not in {e.id for e in audit_before}]
    assert [(entry.action, entry.object_id) for entry in new] == [
        ("contact.erased", str(contact_id))
    ]
    assert not any(needle in json.dumps(new[0].detail).casefold() for needle in NEEDLES)
    # The rest of the book is untouched.
    kept = client.get(f"{API}/contacts/{person.kept_id}", headers=person.headers)
    assert kept.status_code == 200
    for path in (f"{contact_id}", f"{contact_id}/export"):
        assert client.get(f"{API}/contacts/{path}", headers=person.headers).status_code == 404


def test_exporting_a_person_gives_everything_held_about_them_in_one_json_file(
    client: TestClient, session: Session
) -> None:
    person = _life_of_a_relationship(client, session)
    answer = client.get(f"{API}/contacts/{person.contact_id}/export", headers=person.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="rapport-contact-{person.contact_id}')
    assert "Zebulon" not in disposition
    exported = answer.json()
    assert exported["format"] == "rapport-person-export/1"
    contact = exported["contact"]
    assert (contact["name"], contact["email"], contact["phone"]) == (
        PERSON["name"],
        PERSON["email"],
        "+14155550199",
    )
    assert contact["kind"] == "customer" and contact["tier"] == "medium"
    summaries = [item["summary"] for item in exported["interactions"]]
    assert len([s for s in summaries if s.startswith("Zebulon showed")]) == 2
    assert any("Zeb Quist" in s for s in summaries)  # the merge's note
    assert sorted(item["status"] for item in exported["follow_ups"]) == ["done", "snoozed"]
    assert [item["resolution"] for item in exported["complaints"]] == ["Re-sent to Zebulon"]
    assert [(o["title"], o["stage"]) for o in exported["opportunities"]] == [
        ("Quist lighthouse atlas", "won")
    ]
    timeline = [event["text"] for event in exported["timeline"]]
    assert "Complaint resolved: Zebulon's invoice went to Beaconsfield" in timeline
    assert "Tier changed from High to Medium" in timeline
    assert "Opportunity “Quist lighthouse atlas” won" in timeline
    assert len(exported["health_history"]) == 2
    assert {week["tier"] for week in exported["health_history"]} <= {"high", "medium"}

    entries = session.exec(select(AuditEvent).where(AuditEvent.action == "contact.exported")).all()
    assert [(e.object_id, e.detail) for e in entries] == [(person.contact_id, {})]


def test_a_person_export_is_refused_for_a_contact_the_caller_cannot_see(
    client: TestClient, session: Session
) -> None:
    make_user(session, REP)
    make_user(session, "sam@example.com")
    theirs = _ok(
        client.post(
            f"{API}/contacts", json={"name": "Ola Berg"}, headers=bearer(client, "sam@example.com")
        ),
        201,
    )
    headers = bearer(client, REP)
    for contact_id in (theirs["id"], str(uuid.uuid4()), "not-an-id"):
        answer = client.get(f"{API}/contacts/{contact_id}/export", headers=headers)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Contact not found."}
    assert client.get(f"{API}/contacts/{theirs['id']}/export").status_code == 401
