"""Importing contacts: files shaped like real exports come in field by field, once."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa.__main__ import main
from crm_pwa.api.contact_import import read_upload
from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.user import User
from crm_pwa.domain.csv_import import NO_NAME_COLUMN
from crm_pwa.domain.import_file import MAX_IMPORT_BYTES, NOT_CONTACTS, TOO_LARGE
from crm_pwa.domain.search import EMAIL
from crm_pwa.domain.vcard_import import CUT_OFF
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import TooLarge
from crm_pwa.services.today import today_view
from tests.conftest import Database
from tests.integration.test_contacts_api import API, REP, add_contact, table_rows
from tests.utils.factories import NOW, bearer, make_user

FILES = Path(__file__).resolve().parents[1] / "data" / "import"
EXPORTS = ("iphone.vcf", "android.vcf", "vcard4.vcf", "google.csv", "outlook.csv")


@pytest.fixture
def rep_headers(client: TestClient, session: Session) -> dict[str, str]:
    make_user(session, REP, name="Riley Chen")
    return bearer(client, REP)


def upload(
    client: TestClient,
    headers: dict[str, str],
    content: bytes,
    *,
    name: str = "contacts.vcf",
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> Any:
    return client.post(
        f"{API}/import" + ("?dry_run=true" if dry_run else ""),
        files={"file": (name, content)},
        data={"mapping": json.dumps(mapping)} if mapping is not None else None,
        headers=headers,
    )


def imported(client: TestClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    answer = upload(client, headers, (FILES / name).read_bytes(), name=name)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def book(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    items = client.get(f"{API}/contacts?limit=100", headers=headers).json()["items"]
    return {item["name"]: item for item in items}


def _fields(contact: dict[str, Any]) -> dict[str, Any]:
    keys = ("company", "title", "email", "phone", "address", "tags", "connection_notes")
    return {key: contact[key] for key in keys}


def test_an_iphone_vcard_comes_in_field_by_field_with_the_photo_left_out(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    report = imported(client, rep_headers, "iphone.vcf")

    assert report["created"] == 2 and report["errors"] == []
    contacts = book(client, rep_headers)
    assert _fields(contacts["Dana Maria Reyes"]) == {
        "company": "Acme Roofing",
        "title": "Purchasing Manager",
        "email": "dana.reyes@acme.example",
        "phone": "+14155551004",
        "address": "12 Market St, San Francisco, CA 94105, United States",
        "tags": ["Roofing", "VIP"],
        "connection_notes": (
            "Met at the Oakland trade fair in March. Prefers calls after 10am; her assistant "
            "Tom books the site visits.\nOther phones: +14155552000, +14155553000\n"
            "Other e-mails: dana@home.example"
        ),
    }
    assert contacts["Chidi Okafor"]["phone"] == "+442079460958"
    assert contacts["Chidi Okafor"]["health"]["band"] == "new"


def test_an_android_vcard_21_reads_its_quoted_printable_utf8_names(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    assert imported(client, rep_headers, "android.vcf")["created"] == 2
    contacts = book(client, rep_headers)
    assert _fields(contacts["Jürgen Müller"]) == {
        "company": "Bäckerei Grünwald GmbH & Co. KG Zweigniederlassung Nord",
        "title": "",
        "email": "juergen.mueller@example.de",
        "phone": "+49301234567",
        "address": "",
        "tags": [],
        "connection_notes": "Other phones: +49307654321",
    }
    assert contacts["山田花子"]["phone"] == "+819012345678"
    # The imported names are searchable like typed ones.
    found = client.get(f"{API}/contacts?q=müller", headers=rep_headers).json()["items"]
    assert [item["name"] for item in found] == ["Jürgen Müller"]


def test_a_vcard_4_reads_tel_uris(client: TestClient, rep_headers: dict[str, str]) -> None:
    assert imported(client, rep_headers, "vcard4.vcf")["created"] == 1
    assert _fields(book(client, rep_headers)["Ana Silva"]) == {
        "company": "Lisboa Tiles",
        "title": "",
        "email": "ana@lisboa-tiles.example",
        "phone": "+351211234567",
        "address": "",
        "tags": [],
        "connection_notes": "Other phones: +12025550143",
    }


def test_a_google_contacts_csv_splits_its_joined_numbers(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    assert imported(client, rep_headers, "google.csv")["created"] == 2
    contacts = book(client, rep_headers)
    assert _fields(contacts["Priya Raman"]) == {
        "company": "Raman Exports",
        "title": "Director",
        "email": "priya@raman.example",
        "phone": "+919876543210",
        "address": "4 Marine Drive\nMumbai 400020\nIndia",
        "tags": ["Clients"],
        "connection_notes": (
            "Loves cricket\nOther phones: +912223456789\nOther e-mails: priya.r@mail.example"
        ),
    }
    assert _fields(contacts["Tom Baker"])["phone"] == "+12125550199"


def test_an_outlook_csv_in_windows_1252_keeps_its_accents(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    report = imported(client, rep_headers, "outlook.csv")
    assert report["created"] == 2 and report["encoding"] == "windows-1252"
    contacts = book(client, rep_headers)
    assert _fields(contacts["Hélène Dubois"]) == {
        "company": "Café Rénové",
        "title": "Responsable achats",
        "email": "helene.dubois@cafe-renove.example",
        "phone": "+33142685300",
        "address": "8 rue de la Paix, Paris, 75002, France",
        "tags": ["Clients", "Priorité"],
        "connection_notes": "Préfère être appelée l’après-midi",
    }
    assert contacts["Søren Nørgaard"]["email"] == "soren@norgaard.example"


def test_importing_every_file_twice_creates_nothing_new(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    first = [imported(client, rep_headers, name) for name in EXPORTS]
    assert sum(report["created"] for report in first) == 9
    before = table_rows(db)

    again = [imported(client, rep_headers, name) for name in EXPORTS]

    assert [(r["created"], r["updated"], r["skipped"]) for r in again] == [
        (0, 0, report["created"]) for report in first
    ]
    after = table_rows(db)
    assert {name: rows for name, rows in after.items() if name != "auditevent"} == {
        name: rows for name, rows in before.items() if name != "auditevent"
    }


def test_a_person_already_in_the_book_is_updated_by_phone_in_another_format(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    typed = add_contact(client, rep_headers, name="Dana R.", phone="415 555 1004", tags=["tea"])

    report = imported(client, rep_headers, "iphone.vcf")

    assert (report["created"], report["updated"], report["skipped"]) == (1, 1, 0)
    dana = client.get(f"{API}/contacts/{typed['id']}", headers=rep_headers).json()
    # What the rep typed stays; what was missing is filled in.
    assert (dana["name"], dana["company"], dana["email"], dana["tags"]) == (
        "Dana R.",
        "Acme Roofing",
        "dana.reyes@acme.example",
        ["tea", "Roofing", "VIP"],
    )
    assert len(book(client, rep_headers)) == 2


def test_the_same_person_twice_in_one_file_is_one_contact(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    csv = b"name,email,company\nAna Silva,ana@example.com,\nAna S.,ANA@example.com,Lisboa Tiles\n"
    report = upload(client, rep_headers, csv, name="c.csv").json()
    assert (report["created"], report["updated"]) == (1, 1)
    assert _fields(book(client, rep_headers)["Ana Silva"])["company"] == "Lisboa Tiles"


def test_an_imported_email_with_a_backslash_is_indexed_as_written(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    # Search terms reach PostgreSQL through COPY's text format, where a backslash escapes.
    csv = b"name,email\nAna Silva,ana\\tiles@example.com\n"
    assert upload(client, rep_headers, csv, name="c.csv").json()["created"] == 1
    terms = session.exec(select(ContactSearchTerm.term).where(ContactSearchTerm.field == EMAIL))
    assert "ana\\tiles@example.com" in set(terms)


def test_a_dry_run_previews_the_columns_and_counts_and_writes_nothing(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    answer = upload(
        client, rep_headers, (FILES / "google.csv").read_bytes(), name="g.csv", dry_run=True
    )
    assert answer.status_code == 200
    report = answer.json()
    assert (report["created"], report["format"]) == (2, "csv")
    assert report["mapping"]["Phone 1 - Value"] == "phone"
    assert report["sample"][1][0] == "Tom Baker"
    assert table_rows(db) == before


def test_a_mapping_sent_with_the_file_replaces_the_guess(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    csv = "Wer,Firma,Handy\nJürgen Müller,Bäckerei,030 1234567\n".encode()
    guessed = upload(client, rep_headers, csv, name="c.csv", dry_run=True).json()
    assert guessed["errors"] == [{"line": 1, "error": NO_NAME_COLUMN}]

    mapping = {"Wer": "name", "Firma": "company", "Handy": ""}
    report = upload(client, rep_headers, csv, name="c.csv", mapping=mapping).json()

    assert report["created"] == 1 and report["errors"] == []
    assert _fields(book(client, rep_headers)["Jürgen Müller"])["company"] == "Bäckerei"


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", 422, NOT_CONTACTS),
        (b"", 422, "The file is empty."),
        (b"name\nAna\n", 422, "The file has no column named 'Nope'."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_words_and_changes_nothing(
    client: TestClient,
    rep_headers: dict[str, str],
    db: Database,
    content: bytes,
    status: int,
    detail: str,
) -> None:
    before = table_rows(db)
    mapping = {"Nope": "name"} if b"Ana" in content else None
    answer = upload(client, rep_headers, content, mapping=mapping)
    assert (answer.status_code, answer.json()) == (status, {"detail": detail})
    assert table_rows(db) == before


def test_a_truncated_vcard_imports_the_whole_cards_and_names_the_cut_one(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    whole = (FILES / "iphone.vcf").read_bytes()
    cut = whole[: whole.rindex(b"TEL;type=IPHONE")]
    report = upload(client, rep_headers, cut).json()
    assert report["created"] == 1
    assert report["errors"] == [{"line": 35, "error": CUT_OFF}]
    assert list(book(client, rep_headers)) == ["Dana Maria Reyes"]


def test_a_csv_without_a_name_column_imports_no_one(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    answer = upload(client, rep_headers, b"company,email\nAcme,a@acme.example\n", name="c.csv")
    assert answer.status_code == 200
    assert answer.json()["errors"] == [{"line": 1, "error": NO_NAME_COLUMN}]
    assert answer.json()["created"] == 0
    assert {k: v for k, v in table_rows(db).items() if k != "auditevent"} == {
        k: v for k, v in before.items() if k != "auditevent"
    }


def test_a_bad_line_is_reported_and_the_good_lines_still_come_in(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    csv = b"name,email,phone\nAna,ana@example.com,\nBad,not-mail,\nTom,,call me\n"
    report = upload(client, rep_headers, csv, name="c.csv").json()
    assert report["created"] == 1
    assert [error["line"] for error in report["errors"]] == [3, 4]
    assert "not an email address" in report["errors"][0]["error"]
    assert list(book(client, rep_headers)) == ["Ana"]


def test_a_25_mb_file_is_refused_by_its_size(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    line = b"Ana Silva,ana@example.com,+351211234567\n"
    content = b"name,email,phone\n" + line * (25_000_000 // len(line))
    answer = upload(client, rep_headers, content, name="big.csv")
    assert (answer.status_code, answer.json()) == (413, {"detail": TOO_LARGE})
    assert table_rows(db) == before


def test_an_import_is_audited_with_counts_and_no_personal_data(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    imported(client, rep_headers, "google.csv")
    # The sign-in that got the caller's token is on the trail too; the import once.
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action != "sign_in")).all()
    assert (event.action, event.detail) == (
        "contacts.imported",
        {"format": "csv", "created": 2, "updated": 0, "skipped": 0, "errors": 0},
    )


def test_import_needs_a_signed_in_caller(client: TestClient) -> None:
    assert upload(client, {}, b"name\nAna\n").status_code == 401


def test_the_command_line_imports_a_file_for_a_user(
    client: TestClient,
    rep_headers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(FILES / "outlook.csv")
    assert main(["import", path, "--owner", REP.upper()]) == 0
    assert main(["import", path, "--owner", REP]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 created, 0 updated, 0 skipped, 0 with errors.",
        "0 created, 0 updated, 2 skipped, 0 with errors.",
    ]
    assert "Hélène Dubois" in book(client, rep_headers)
    assert main(["import", path, "--owner", "nobody@example.com"]) == 2


def test_the_route_stops_reading_one_byte_past_20_mb_whatever_the_wrapping_allowed() -> None:
    with pytest.raises(TooLarge) as refused:
        read_upload(io.BytesIO(b"n" * (MAX_IMPORT_BYTES + 10)))
    assert refused.value.message == TOO_LARGE
    assert len(read_upload(io.BytesIO(b"n" * MAX_IMPORT_BYTES))) == MAX_IMPORT_BYTES


def test_an_imported_contact_starts_as_one_added_by_hand(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    # Imports write their rows in bulk, without the model: its defaults must agree.
    typed = add_contact(client, rep_headers, name="Typed Person")
    upload(client, rep_headers, b"name\nImported Person\n", name="c.csv")
    rows = {row.name: row.model_dump() for row in session.exec(select(Contact)).all()}
    ignored = {"id", "name", "created_at", "updated_at"}
    assert {k: v for k, v in rows["Imported Person"].items() if k not in ignored} == {
        k: v for k, v in rows[typed["name"]].items() if k not in ignored
    }


def test_today_offers_the_import_only_while_the_book_is_empty(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    rep = Actor.of(session.exec(select(User).where(User.email == REP)).one())
    assert today_view(session=session, actor=rep, today=NOW.date()).book_empty
    imported(client, rep_headers, "vcard4.vcf")
    session.expire_all()
    assert not today_view(session=session, actor=rep, today=NOW.date()).book_empty
