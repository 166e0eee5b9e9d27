"""Duplicates: the same person added twice, caught by e-mail or phone among what one sees."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import Database
from tests.integration.test_contacts_api import API, add_contact, table_rows
from tests.utils.factories import bearer, make_team, make_user


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
