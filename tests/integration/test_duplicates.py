"""Duplicates: the same person added twice is caught by e-mail or phone and can be merged."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from tests.conftest import Database
from tests.integration.test_contacts_api import API, add_contact, table_rows
from tests.utils.factories import NOW, bearer, make_contact, make_team, make_user


def test_a_phone_typed_in_another_format_is_a_duplicate_and_nothing_is_stored(
    client: TestClient, session: Session, db: Database
) -> None:
    make_user(session, "riley@example.com", name="Riley Chen")
    headers = bearer(client, "riley@example.com")
    first = add_contact(client, headers, phone="+14155551004")
    before = table_rows(db)

    answer = client.post(
        f"{API}/contacts", json={"name": "D. Reyes", "phone": "(415) 555-1004"}, headers=headers
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "You already have a contact with this e-mail or phone.",
        "existing_id": first["id"],
    }
    assert table_rows(db) == before


def test_an_email_in_other_capitals_is_a_duplicate_unless_allowed(
    client: TestClient, session: Session
) -> None:
    make_user(session, "riley@example.com", name="Riley Chen")
    headers = bearer(client, "riley@example.com")
    first = add_contact(client, headers, email="Dana.Reyes@Acme.example")
    clash = {"name": "Dana R", "email": "dana.reyes@acme.example", "phone": "415 555 1004"}

    refused = client.post(f"{API}/contacts", json=clash, headers=headers)
    allowed = client.post(f"{API}/contacts?allow_duplicate=true", json=clash, headers=headers)

    assert refused.status_code == 409
    assert refused.json()["existing_id"] == first["id"]
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["phone"] == "+14155551004"
    listed = client.get(f"{API}/contacts", headers=headers).json()["items"]
    assert len(listed) == 2


def test_a_contact_the_caller_cannot_see_is_no_duplicate_and_is_not_revealed(
    client: TestClient, session: Session
) -> None:
    west, east = make_team(session, "West"), make_team(session, "East")
    make_user(session, "a@example.com", "rep", west)
    make_user(session, "b@example.com", "rep", west)
    make_user(session, "c@example.com", "rep", east)
    make_user(session, "wm@example.com", "manager", west)
    same = {"name": "Dana Reyes", "phone": "+14155551004", "email": "dana@acme.example"}
    of_a = add_contact(client, bearer(client, "a@example.com"), **same)

    # Another rep of the team and a rep of another team do not see A's contact.
    added = {}
    for other in ("b@example.com", "c@example.com"):
        answer = client.post(f"{API}/contacts", json=same, headers=bearer(client, other))
        assert answer.status_code == 201, answer.text
        assert of_a["id"] not in answer.text
        added[other] = answer.json()["id"]
    # The West manager sees A's and B's (the same person twice), never C's of East.
    answer = client.post(
        f"{API}/contacts",
        json={"name": "Dana", "phone": "415-555-1004"},
        headers=bearer(client, "wm@example.com"),
    )
    assert answer.status_code == 409
    assert answer.json()["existing_id"] in {of_a["id"], added["b@example.com"]}


def _history(session: Session, contact_id: uuid.UUID) -> dict[str, int]:
    session.expire_all()
    return {
        str(table.__tablename__): session.exec(
            select(func.count()).select_from(table).where(col(table.contact_id) == contact_id)
        ).one()
        for table in (Interaction, FollowUp, Complaint, Opportunity, HealthSnapshot)
    }


def _add_history(session: Session, contact: Contact, notes: int, week: str) -> None:
    for number in range(notes):
        session.add(
            Interaction(
                contact_id=contact.id,
                author_id=contact.owner_id,
                kind="call",
                occurred_at=NOW - timedelta(days=number + 1),
                summary=f"Call {number} with {contact.name}",
                created_at=NOW,
            )
        )
    session.add(
        FollowUp(
            contact_id=contact.id,
            owner_id=contact.owner_id,
            title=f"Send {contact.name} the quote",
            due_on=NOW.date(),
            changed_at=NOW,
            created_at=NOW,
        )
    )
    session.add(
        Complaint(contact_id=contact.id, owner_id=contact.owner_id, summary="Late", opened_at=NOW)
    )
    session.add(
        Opportunity(
            contact_id=contact.id,
            owner_id=contact.owner_id,
            title="Renewal",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    for snapshot_week in (week, "2026-W40"):
        session.add(
            HealthSnapshot(
                contact_id=contact.id,
                owner_id=contact.owner_id,
                week=snapshot_week,
                tier="medium",
                band="new",
                created_at=NOW,
            )
        )
    session.commit()


def test_a_merge_keeps_every_record_of_both_contacts_and_says_so_on_the_timeline(
    client: TestClient, session: Session
) -> None:
    rep = make_user(session, "riley@example.com", name="Riley Chen")
    keep = make_contact(session, rep, "Dana Reyes", email="dana@acme.example", tags=["vip"])
    other = make_contact(
        session,
        rep,
        "D. Reyes",
        phone="+14155551004",
        phone_digits="14155551004",
        tags=["VIP", "west"],
    )
    _add_history(session, keep, notes=1, week="2026-W41")
    _add_history(session, other, notes=2, week="2026-W42")
    keep_id, other_id = keep.id, other.id
    kept, others = _history(session, keep_id), _history(session, other_id)
    before = {key: kept[key] + others[key] for key in kept}
    headers = bearer(client, "riley@example.com")

    answer = client.post(
        f"{API}/contacts/{keep_id}/merge", json={"other_id": str(other_id)}, headers=headers
    )

    assert answer.status_code == 200, answer.text
    merged = answer.json()
    assert (merged["email"], merged["phone"], merged["tags"]) == (
        "dana@acme.example",
        "+14155551004",
        ["vip", "west"],
    )
    after = _history(session, keep_id)
    # Every record of both, plus the one note that says what was merged; the
    # week both have a snapshot for keeps one.
    assert after == {**before, "interaction": before["interaction"] + 1, "healthsnapshot": 3}
    assert _history(session, other_id) == dict.fromkeys(before, 0)
    assert client.get(f"{API}/contacts/{other_id}", headers=headers).status_code == 404
    timeline = client.get(f"{API}/contacts/{keep_id}/timeline", headers=headers).json()
    merge_notes = [item for item in timeline["interactions"] if "Merged" in item["summary"]]
    assert [(item["kind"], item["summary"]) for item in merge_notes] == [
        (
            "note",
            "Merged D. Reyes into this contact: 2 notes, 1 follow-ups, 1 complaints and "
            "1 opportunities moved here.",
        )
    ]
    found = client.get(f"{API}/contacts?q=4155551004", headers=headers).json()["items"]
    assert [item["id"] for item in found] == [str(keep_id)]


def test_a_merge_with_a_contact_the_caller_cannot_see_is_not_found_and_changes_nothing(
    client: TestClient, session: Session, db: Database
) -> None:
    west, east = make_team(session, "West"), make_team(session, "East")
    a = make_user(session, "a@example.com", "rep", west)
    c = make_user(session, "c@example.com", "rep", east)
    mine, theirs = make_contact(session, a, "Dana Reyes"), make_contact(session, c, "Dana Reyes")
    headers = bearer(client, "a@example.com")
    before = table_rows(db)

    answers = [
        client.post(
            f"{API}/contacts/{mine.id}/merge", json={"other_id": str(theirs.id)}, headers=headers
        ),
        client.post(
            f"{API}/contacts/{theirs.id}/merge", json={"other_id": str(mine.id)}, headers=headers
        ),
        client.post(
            f"{API}/contacts/{uuid.uuid4()}/merge", json={"other_id": str(mine.id)}, headers=headers
        ),
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (404, {"detail": "Contact not found."})
    ] * 3
    assert table_rows(db) == before
