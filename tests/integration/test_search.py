"""Finding a contact as the rep types: names, phone numbers in any format, companies, tags."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlmodel import Session, delete

from alembic import command
from crm_pwa.db.contact import ContactSearchTerm
from crm_pwa.migration import alembic_config
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_editing import ContactCreate, create_contact
from crm_pwa.services.contact_list import search_contacts
from tests.conftest import Database
from tests.utils.factories import NOW, bearer, make_user

API = "/api/v1/contacts"
REP = "riley@example.com"

PEOPLE = [
    {
        "name": "Dana Reyes",
        "company": "Acme Logistics",
        "title": "Head of Purchasing",
        "phone": "+1 (415) 555-0100",
        "email": "dana.reyes@acme.example",
        "tags": ["vip", "renewal"],
    },
    {"name": "Dan Brown", "company": "Northwind Traders", "phone": "+1 212 555 0199"},
    {"name": "Zoë García", "company": "Brightwater Foods", "email": "zoe@brightwater.example"},
    {"name": "Marcus Johnson", "company": "Reynolds Foods", "tags": ["pilot"]},
    {"name": "Priya Patel", "company": "Delta Medical", "email": "rey@delta.example"},
]


@pytest.fixture
def headers(client: TestClient, session: Session) -> dict[str, str]:
    user = make_user(session, REP)
    actor = Actor.of(user)
    for person in PEOPLE:
        create_contact(session=session, actor=actor, contact_in=ContactCreate(**person), now=NOW)
    session.commit()
    return bearer(client, REP)


def _find(client: TestClient, headers: dict[str, str], q: str, **params: Any) -> list[str]:
    answer = client.get(API, params={"q": q, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


def test_contact_is_found_when_three_letters_of_a_name_are_typed(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert _find(client, headers, "pri") == ["Priya Patel"]
    assert _find(client, headers, "joh") == ["Marcus Johnson"]
    assert _find(client, headers, "PAT") == ["Priya Patel"]


def test_contact_is_found_when_part_of_the_phone_is_typed_in_any_format(
    client: TestClient, headers: dict[str, str]
) -> None:
    for typed in ("4155550100", "555 0100", "(415) 555-0100", "+1 415 555 0100", "0100"):
        assert _find(client, headers, typed) == ["Dana Reyes"], typed
    # Both are phone hits: the matched digits in order, 555-0100 before 555-0199.
    assert _find(client, headers, "555-0") == ["Dana Reyes", "Dan Brown"]


def test_contact_is_found_when_company_email_or_tag_is_typed(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert _find(client, headers, "northw") == ["Dan Brown"]
    assert _find(client, headers, "dana.reyes@acme") == ["Dana Reyes"]
    assert _find(client, headers, "brightwater.example") == ["Zoë García"]
    assert _find(client, headers, "pilot") == ["Marcus Johnson"]
    assert _find(client, headers, "purch") == ["Dana Reyes"]


def test_every_word_must_match_when_several_are_typed(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert _find(client, headers, "dana acme") == ["Dana Reyes"]
    assert _find(client, headers, "acme dana") == ["Dana Reyes"]
    assert _find(client, headers, "foods mar") == ["Marcus Johnson"]
    assert _find(client, headers, "dana northwind") == []


def test_accents_are_ignored_when_searching(client: TestClient, headers: dict[str, str]) -> None:
    assert _find(client, headers, "zoe") == ["Zoë García"]
    assert _find(client, headers, "Zoë garcía") == ["Zoë García"]
    assert _find(client, headers, "garc") == ["Zoë García"]


def test_name_hits_come_before_company_and_email_hits_when_ranked(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert _find(client, headers, "rey") == ["Dana Reyes", "Marcus Johnson", "Priya Patel"]
    # Both are name hits: the whole word "dan" beats the prefix of "dana".
    assert _find(client, headers, "dan") == ["Dan Brown", "Dana Reyes"]


def test_nothing_is_found_when_the_query_has_no_words(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert _find(client, headers, "--- !!") == []
    assert _find(client, headers, "xyzzy") == []


def test_search_is_narrowed_when_filters_are_given(
    client: TestClient, headers: dict[str, str]
) -> None:
    both = ["Marcus Johnson", "Zoë García"]
    assert sorted(_find(client, headers, "foods")) == both
    assert _find(client, headers, "foods", tier="high") == []
    assert sorted(_find(client, headers, "foods", band="new")) == both
    assert _find(client, headers, "foods", kind="supplier") == []


@pytest.mark.parametrize("q", ["", "person", "acme", "acme person"])
def test_pages_cover_every_match_once_when_followed_to_the_end(
    client: TestClient, session: Session, q: str
) -> None:
    user = make_user(session, REP)
    actor = Actor.of(user)
    for number in range(45):
        # Equal names in pairs: the page boundary must also hold between ties. "acme"
        # is a company, a tag or an email hit: pages also run across fields.
        fields: dict[str, Any] = (
            {"company": "Acme"},
            {"tags": ["acme"], "email": f"p{number}@acme.example"},
            {"email": f"p{number}@acme.example"},
        )[number % 3]
        create_contact(
            session=session,
            actor=actor,
            contact_in=ContactCreate(name=f"Person {number // 2:02d}", **fields),
            now=NOW,
        )
    make_user(session, "admin@example.com", "admin")
    session.commit()
    # A rep's search ranks all matches at once, an admin's walks field by field:
    # both must page, and to the same order.
    orders = []
    for email in (REP, "admin@example.com"):
        headers = bearer(client, email)
        seen: list[str] = []
        pages = 0
        cursor = None
        while True:
            params: dict[str, Any] = {"q": q, "limit": 7}
            if cursor:
                params["cursor"] = cursor
            body = client.get(API, params=params, headers=headers).json()
            seen.extend(item["id"] for item in body["items"])
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 45, email
        assert pages == 7, email
        orders.append(seen)
    assert orders[0] == orders[1]


SCRIPTS = [
    {"name": "Мария Иванова", "company": "Северный ветер"},
    {"name": "Νίκος Παπαδόπουλος", "company": "Ελληνικά Τρόφιμα"},
    {"name": "ليلى حداد", "company": "مرحبا للتجارة"},
    {"name": "דוד כהן", "company": "אור ים"},
    {"name": "王小明", "company": "北京科技有限公司"},
    {"name": "山田太郎", "company": "東京タワー商事"},
    {"name": "김민준", "company": "서울전자"},
]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("мари", "Мария Иванова"),
        ("ВЕТЕР", "Мария Иванова"),
        ("ΝΙΚΟΣ", "Νίκος Παπαδόπουλος"),
        ("παπαδοπουλος", "Νίκος Παπαδόπουλος"),
        ("مرحبا", "ليلى حداد"),
        ("ليلى", "ليلى حداد"),
        ("כהן", "דוד כהן"),
        ("小明", "王小明"),
        ("科技", "王小明"),
        ("太郎", "山田太郎"),
        ("タワー", "山田太郎"),
        ("민준", "김민준"),
    ],
)
def test_contact_is_found_when_any_script_is_typed(
    client: TestClient, session: Session, typed: str, found: str
) -> None:
    actor = Actor.of(make_user(session, REP))
    for person in SCRIPTS:
        create_contact(session=session, actor=actor, contact_in=ContactCreate(**person), now=NOW)
    session.commit()
    assert _find(client, bearer(client, REP), typed) == [found]


def test_connection_notes_are_searched_when_ranked_below_every_other_field(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    actor = Actor.of(make_user(session, "sam@example.com"))
    people = [
        {"name": "Ana Lopes", "connection_notes": "Collects vintage vinyl; ask about Lisbon"},
        {"name": "Vinyl Vance"},
        {"name": "Bo Chen", "company": "Vinyl Press Co"},
        {"name": "Cy Moss", "title": "Vinyl buyer"},
    ]
    for person in people:
        create_contact(session=session, actor=actor, contact_in=ContactCreate(**person), now=NOW)
    session.commit()
    sam = bearer(client, "sam@example.com")
    assert _find(client, sam, "vinyl") == ["Vinyl Vance", "Bo Chen", "Cy Moss", "Ana Lopes"]
    assert _find(client, sam, "lisbon") == ["Ana Lopes"]
    assert _find(client, sam, "ana vint") == ["Ana Lopes"]
    # Another rep's notes stay theirs.
    assert _find(client, headers, "vinyl") == []


def test_existing_contacts_are_found_by_their_notes_and_script_when_the_migration_ran(
    db: Database, session: Session
) -> None:
    actor = Actor.of(make_user(session, REP))
    for person in ({"name": "ليلى حداد"}, {"name": "Ana Lopes", "connection_notes": "vinyl"}):
        create_contact(session=session, actor=actor, contact_in=ContactCreate(**person), now=NOW)
    # What the index held before: no word outside [a-z0-9], no connection notes.
    session.exec(delete(ContactSearchTerm))
    session.commit()
    config = alembic_config(db.url)
    command.downgrade(config, ScriptDirectory.from_config(config).get_revision("se1").down_revision)
    command.upgrade(config, "head")

    def names(q: str) -> list[str]:
        return [item.name for item in search_contacts(session=session, actor=actor, q=q).items]

    assert names("ليلى") == ["ليلى حداد"]
    assert names("vinyl") == ["Ana Lopes"]
