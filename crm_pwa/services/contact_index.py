"""Keeps a contact's search terms in step with its fields and its owner.

The terms have no foreign key to the contact (it was a third of PostgreSQL's work
in an import, docs/benchmarks.md), so the code keeps them from outliving it:
whoever writes a contact's terms or erases the contact holds the contact's row
first, and the two take turns.

Terms are filed on a shelf of the contact's owner (db/shelf.py), taken after the
contact's row: a handover holds the contacts it moves before it gives a shelf
away (db/handover.py), so the two meet in the same order and do not deadlock.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, delete, select

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.shelf import owner_shelf
from crm_pwa.domain.search import FIELDS, contact_terms
from crm_pwa.services.contacts import NOT_FOUND
from crm_pwa.services.errors import NotFound


def lock_contact(session: Session, contact_id: uuid.UUID) -> uuid.UUID:
    """Holds the contact's row until the transaction ends (PostgreSQL; SQLite has one
    writer at a time) and gives its owner as the row now says. An erase that got
    there first leaves no row: NotFound."""
    query = select(Contact.owner_id).where(col(Contact.id) == contact_id).with_for_update()
    owner_id = session.exec(query).first()
    if owner_id is None:
        raise NotFound(NOT_FOUND)
    return owner_id


def index_contact(session: Session, contact: Contact) -> None:
    owner_id = lock_contact(session, contact.id)
    shelf_id = owner_shelf(session, owner_id)
    session.exec(delete(ContactSearchTerm).where(col(ContactSearchTerm.contact_id) == contact.id))
    terms = contact_terms({field.key: getattr(contact, field.key) for field in FIELDS})
    session.add_all(
        ContactSearchTerm(contact_id=contact.id, field=field, term=term, shelf_id=shelf_id)
        for field, term in terms
    )
