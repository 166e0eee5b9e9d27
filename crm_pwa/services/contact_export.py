"""The caller's contacts as files other apps read: vCard 4.0 and CSV.

Both carry what a phone's address book or a spreadsheet knows about a person:
name, company, job title, e-mail, phone (E.164, a `tel:` URI in the vCard),
address, tags and connection notes; the CSV adds kind, tier and do-not-contact.
The vCard is written by vobject and the CSV by the csv module, with every cell
passed through `escape_cell` so no spreadsheet runs a contact's name as a
formula. Each export is one audit entry: who, which format, how many contacts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import vobject
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.domain.spreadsheet import escape_cell
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.audit import record_audit

CSV_COLUMNS = (
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
)
TAG_SEPARATOR = ", "
# Rapport's own fields ride along as extension properties; other apps skip them.
X_KIND = "x-rapport-kind"
X_TIER = "x-rapport-tier"
X_DO_NOT_CONTACT = "x-rapport-do-not-contact"


def visible_contacts(session: Session, actor: Actor) -> Sequence[Contact]:
    """The contacts the actor may see (rep: own, manager: the team's, admin: all), by name."""
    query = select(Contact)
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    return session.exec(query.order_by(col(Contact.name), col(Contact.id))).all()


def vcard(contact: Contact) -> Any:
    """One contact as a vobject vCard 4.0 component."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("uid").value = f"urn:uuid:{contact.id}"
    card.add("fn").value = contact.name
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.title:
        card.add("title").value = contact.title
    if contact.email:
        card.add("email").value = contact.email
    if contact.phone:
        tel = card.add("tel")
        tel.value = f"tel:{contact.phone}"
        tel.params["VALUE"] = ["uri"]
    if contact.address:
        # One free-text address, kept whole in the street part: splitting it into
        # city and code would be a guess.
        card.add("adr").value = vobject.vcard.Address(street=contact.address)
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    if contact.connection_notes:
        card.add("note").value = contact.connection_notes
    card.add(X_KIND).value = contact.kind
    card.add(X_TIER).value = contact.tier
    if contact.do_not_contact:
        card.add(X_DO_NOT_CONTACT).value = "true"
    card.add("rev").value = contact.updated_at.strftime("%Y%m%dT%H%M%SZ")
    return card


def vcard_lines(contacts: Sequence[Contact]) -> Iterator[str]:
    for contact in contacts:
        yield str(vcard(contact).serialize())


def csv_row(contact: Contact) -> list[str]:
    values = [
        contact.name,
        contact.company,
        contact.title,
        contact.email,
        contact.phone,
        contact.address,
        TAG_SEPARATOR.join(contact.tags),
        contact.connection_notes,
        contact.kind,
        contact.tier,
        "yes" if contact.do_not_contact else "",
    ]
    return [escape_cell(value) for value in values]


def csv_lines(contacts: Sequence[Contact]) -> Iterator[str]:
    """The CSV a line at a time, header first (Excel's dialect: commas, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark makes Excel read the file as UTF-8 instead of the PC's code page.
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for contact in contacts:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(contact))
        yield buffer.getvalue()


def export_contacts(
    *, session: Session, actor: Actor, file_format: str, now: datetime
) -> Iterator[str]:
    """The file a card or a row at a time; the export is audited.

    The contacts are read now, in the caller's transaction; the text is written
    as it is sent (vobject takes milliseconds a card, so a big book streams
    instead of keeping the caller waiting for the whole file).
    """
    contacts = visible_contacts(session, actor)
    for contact in contacts:
        session.expunge(contact)
    record_audit(
        session,
        actor_id=actor.id,
        action="contacts.exported",
        object_type="user",
        object_id=actor.id,
        at=now,
        detail={"format": file_format, "contacts": len(contacts)},
    )
    return vcard_lines(contacts) if file_format == "vcard" else csv_lines(contacts)


def export_file_name(file_format: str, day: date) -> str:
    extension = "vcf" if file_format == "vcard" else "csv"
    return f"rapport-contacts-{day.isoformat()}.{extension}"
