"""Reading import files: encodings, vCard quirks, CSV columns, and what a re-import changes."""

from __future__ import annotations

from typing import Any

import pytest

from crm_pwa.domain.contact_rules import RuleError
from crm_pwa.domain.csv_import import NO_NAME, NO_NAME_COLUMN, guess_mapping, read_csv
from crm_pwa.domain.import_file import (
    MAX_IMPORT_BYTES,
    NOT_CONTACTS,
    TOO_LARGE,
    ImportedContact,
    ImportRefused,
    decode,
)
from crm_pwa.domain.import_reader import read_import
from crm_pwa.domain.import_rules import check_contact, import_changes
from crm_pwa.domain.vcard_import import CUT_OFF, read_vcards
from crm_pwa.domain.vcard_import import NO_NAME as NO_CARD_NAME


def test_decode_reads_utf8_with_and_without_bom_and_windows_1252_when_not_utf8() -> None:
    assert decode("Zoë,Café".encode()) == ("Zoë,Café", "utf-8")
    assert decode(b"\xef\xbb\xbf" + "Zoë".encode()) == ("Zoë", "utf-8-sig")
    assert decode("Zoë – “Café” €".encode("cp1252")) == ("Zoë – “Café” €", "windows-1252")


def test_decode_refuses_binary_empty_and_oversized_files_when_read() -> None:
    with pytest.raises(ImportRefused, match="neither a vCard"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ImportRefused, match="empty"):
        decode(b"  \r\n")
    with pytest.raises(ImportRefused) as refused:
        decode(b"a" * (MAX_IMPORT_BYTES + 1))
    assert refused.value.message == TOO_LARGE
    assert "20 MB" in TOO_LARGE and NOT_CONTACTS


def test_a_cut_off_card_is_reported_and_the_cards_before_it_still_read() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Silva\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Tom B"
    )
    read = read_vcards(text)
    assert [contact.name for contact in read.contacts] == ["Ana Silva"]
    assert [(error.line, error.error) for error in read.errors] == [(5, CUT_OFF)]


def test_quoted_printable_soft_line_breaks_are_joined_when_a_value_runs_over_lines() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=\r\n=C3=BCller\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:one=0D=0Atwo\r\nEND:VCARD\r\n"
    )
    (contact,) = read_vcards(text).contacts
    assert contact.name == "Jürgen Müller"
    assert contact.notes == "one\ntwo"


def test_a_card_without_any_name_is_an_error_on_its_line() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nTEL:+14155551004\nEND:VCARD\n"
    read = read_vcards(text)
    assert read.contacts == []
    assert [(error.line, error.error) for error in read.errors] == [(1, NO_CARD_NAME)]


def test_the_preferred_phone_comes_first_and_n_builds_the_name_when_fn_is_missing() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Reyes;Dana;;;\n"
        "TEL;TYPE=WORK:+14155552000\nTEL;TYPE=CELL,PREF:+14155551004\nEND:VCARD\n"
    )
    (contact,) = read_vcards(text).contacts
    assert contact.name == "Dana Reyes"
    assert contact.phones == ("+14155551004", "+14155552000")


def test_guess_mapping_knows_google_outlook_and_plain_columns() -> None:
    assert guess_mapping(["Name", "E-mail 1 - Value", "Phone 1 - Value", "Labels"]) == {
        "Name": "name",
        "E-mail 1 - Value": "email",
        "Phone 1 - Value": "phone",
        "Labels": "tags",
    }
    outlook = guess_mapping(["Title", "First Name", "Last Name", "Job Title", "Mobile Phone"])
    # Outlook's "Title" is the Mr/Ms; its "Job Title" is the job.
    assert outlook == {
        "Title": "",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Job Title": "title",
        "Mobile Phone": "phone",
    }
    plain = guess_mapping(["name", "company", "email", "phone", "tags", "title", "colour"])
    assert plain == {
        "name": "name",
        "company": "company",
        "email": "email",
        "phone": "phone",
        "tags": "tags",
        "title": "title",
        "colour": "",
    }


def test_a_csv_is_sniffed_for_its_separator_and_splits_google_multi_values() -> None:
    text = 'Full name;Phone;Tags\n"Ana Silva";+351211234567 ::: +12025550143;a, b ::: * starred\n'
    read = read_csv(text)
    (contact,) = read.contacts
    assert contact.phones == ("+351211234567", "+12025550143")
    assert contact.tags == ("a", "b")
    assert read.sample == [["Ana Silva", "+351211234567 ::: +12025550143", "a, b ::: * starred"]]


def test_a_csv_without_a_name_column_reads_no_one_and_says_so_on_line_one() -> None:
    read = read_csv("company,email\nAcme,dana@acme.example\n")
    assert read.contacts == []
    assert [(error.line, error.error) for error in read.errors] == [(1, NO_NAME_COLUMN)]
    assert read.columns == ["company", "email"]


def test_a_mapping_sent_back_replaces_the_guess_and_names_lines_by_where_they_start() -> None:
    text = 'Who,Where,Remarks\nAna Silva,Lisboa Tiles,"two\nlines"\n,Nobody Inc,\nTom,Baker,\n'
    read = read_csv(text, {"Who": "name", "Where": "company"})
    assert [(contact.line, contact.name, contact.company) for contact in read.contacts] == [
        (2, "Ana Silva", "Lisboa Tiles"),
        (5, "Tom", "Baker"),
    ]
    assert [(error.line, error.error) for error in read.errors] == [(4, NO_NAME)]
    assert read.mapping == {"Who": "name", "Where": "company", "Remarks": ""}


def test_a_mapping_naming_an_unknown_column_or_field_is_refused() -> None:
    with pytest.raises(ImportRefused, match="no column named 'Nope'"):
        read_csv("name\nAna\n", {"Nope": "name"})
    with pytest.raises(ImportRefused, match="'birthday' is not a contact field"):
        read_csv("name\nAna\n", {"name": "birthday"})


def test_read_import_sends_vcards_and_csv_to_their_readers() -> None:
    assert read_import(b"BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD\n").format == "vcard"
    assert read_import(b"name,email\nAna,ana@example.com\n").format == "csv"


def test_check_contact_keeps_one_phone_and_email_and_notes_the_others() -> None:
    person = ImportedContact(
        line=3,
        name=" Dana Reyes ",
        emails=("Dana@Acme.example", "dana@acme.example", "d@home.example"),
        phones=("(415) 555-1004", "+1 415 555 1004", "tel:+1-202-555-0143;ext=12"),
        notes="Met in March",
    )
    values = check_contact(person)
    assert (values.name, values.email, values.phone) == (
        "Dana Reyes",
        "Dana@Acme.example",
        "+14155551004",
    )
    assert values.connection_notes == (
        "Met in March\nOther phones: +12025550143\nOther e-mails: d@home.example"
    )
    assert values.phones == ("+14155551004", "+12025550143")


@pytest.mark.parametrize(
    ("person", "message"),
    [
        (ImportedContact(line=1, name="Ana", emails=("not-an-email",)), "not an email"),
        (ImportedContact(line=1, name="Ana", phones=("call me",)), "not a phone number"),
        (ImportedContact(line=1, name="A" * 201), "at most 200"),
    ],
)
def test_check_contact_refuses_a_bad_value_with_its_reason(
    person: ImportedContact, message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        check_contact(person)


def _existing(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "company": "",
        "title": "",
        "email": "",
        "phone": "",
        "address": "",
        "tags": [],
        "connection_notes": "",
    }
    return {**base, **fields}


def test_import_changes_fill_empty_fields_add_tags_and_append_new_notes_only() -> None:
    imported = check_contact(
        ImportedContact(
            line=1,
            name="Dana",
            company="Acme Old Name",
            title="Buyer",
            tags=("VIP", "Roofing"),
            notes="Met in March",
        )
    )
    existing = _existing(company="Acme", tags=["vip"], connection_notes="Likes tea")
    assert import_changes(existing, imported) == {
        "title": "Buyer",
        "tags": ["vip", "Roofing"],
        "connection_notes": "Likes tea\n\nMet in March",
    }
    after = {**existing, **import_changes(existing, imported)}
    assert import_changes(after, imported) == {}
