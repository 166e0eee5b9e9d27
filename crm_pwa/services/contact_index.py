"""Keeps a contact's search terms in step with its fields.

The terms have no foreign key to the contact (it was a third of PostgreSQL's work
in an import, docs/benchmarks.md), so the code keeps them from outliving it:
whoever writes a contact's terms or erases the contact holds the contact's row
first, and the two take turns.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, delete, select

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.domain.search import FIELDS, contact_terms
from crm_pwa.services.contacts import NOT_FOUND
from crm_pwa.services.errors import NotFound


def lock_contact(session: Session, contact_id: uuid.UUID) -> None:
    """Holds the contact's row until the transaction ends (PostgreSQL; SQLite has one
    writer at a time). An erase that got there first leaves no row: NotFound."""
    query = select(Contact.id).where(col(Contact.id) == contact_id).with_for_update()
    if session.exec(query).first() is None:
        raise NotFound(NOT_FOUND)


def index_contact(session: Session, contact: Contact) -> None:
    lock_contact(session, contact.id)
    session.exec(delete(ContactSearchTerm).where(col(ContactSearchTerm.contact_id) == contact.id))
    terms = contact_terms({field.key: getattr(contact, field.key) for field in FIELDS})
    session.add_all(
        ContactSearchTerm(contact_id=contact.id, field=field, term=term, owner_id=contact.owner_id)
        for field, term in terms
    )
