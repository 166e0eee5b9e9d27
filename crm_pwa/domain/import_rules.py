"""From a person read out of a file to a contact: the checks, and what a re-import changes.

A contact holds one phone and one e-mail. A card with several keeps the
preferred (or first) one in the field and the others in the connection notes,
where search still finds them and nothing the rep had is lost. Every one of
them is used to recognise the person as a contact the rep already has.

Importing into an existing contact only adds: empty fields are filled, new tags
are added, notes not already there are appended. What the rep typed is never
overwritten by an older export, and importing the same file again changes
nothing (the line counts as skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.import_file import ImportedContact
from crm_pwa.domain.phone import DEFAULT_REGION, PhoneError, normalise_phone

_FILLED = ("company", "title", "email", "phone", "address")


@dataclass(frozen=True)
class ContactValues:
    """A checked person, in the stored form; `emails`/`phones` are every one for matching."""

    name: str
    company: str
    title: str
    email: str
    phone: str
    address: str
    tags: list[str]
    connection_notes: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]

    def fields(self) -> dict[str, Any]:
        """The Contact columns this person sets."""
        return {
            "name": self.name,
            "company": self.company,
            "title": self.title,
            "email": self.email,
            "phone": self.phone,
            "phone_digits": self.phone.lstrip("+"),
            "address": self.address,
            "tags": list(self.tags),
            "connection_notes": self.connection_notes,
        }


def check_contact(person: ImportedContact, region: str = DEFAULT_REGION) -> ContactValues:
    """The person as stored; RuleError (with the reason for the report) when a value is wrong."""
    emails = _unique([rules.clean_email(email) for email in person.emails])
    phones: list[str] = []
    for raw in person.phones:
        try:
            phones.append(normalise_phone(raw, region)[0])
        except PhoneError as error:
            raise rules.RuleError("phone", str(error)) from error
    phones = _unique(phones)
    extras = []
    if len(phones) > 1:
        extras.append(f"Other phones: {', '.join(phones[1:])}")
    if len(emails) > 1:
        extras.append(f"Other e-mails: {', '.join(emails[1:])}")
    notes = "\n".join(part for part in (person.notes.strip(), *extras) if part)
    return ContactValues(
        name=rules.clean_name(person.name),
        company=rules.clean_text("company", person.company, rules.MAX_SHORT_TEXT),
        title=rules.clean_text("title", person.title, rules.MAX_SHORT_TEXT),
        email=emails[0] if emails else "",
        phone=phones[0] if phones else "",
        address=rules.clean_text("address", person.address, rules.MAX_ADDRESS),
        tags=rules.clean_tags(person.tags),
        connection_notes=rules.clean_notes("connection_notes", notes),
        emails=tuple(emails),
        phones=tuple(phones),
    )


def _unique(values: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def import_changes(existing: Mapping[str, Any], imported: ContactValues) -> dict[str, Any]:
    """What importing `imported` into the contact `existing` changes; {} when nothing."""
    changes: dict[str, Any] = {}
    for field in _FILLED:
        value = getattr(imported, field)
        if value and not existing[field]:
            changes[field] = value
    known = {tag.casefold() for tag in existing["tags"]}
    added = [tag for tag in imported.tags if tag.casefold() not in known]
    room = rules.MAX_TAGS - len(existing["tags"])
    if added and room > 0:
        changes["tags"] = [*existing["tags"], *added[:room]]
    notes = imported.connection_notes
    if notes and notes not in existing["connection_notes"]:
        joined = "\n\n".join(part for part in (existing["connection_notes"], notes) if part)
        if len(joined) <= rules.MAX_NOTES:
            changes["connection_notes"] = joined
    return changes
