"""Keeps a contact's search terms in step with its fields."""

from __future__ import annotations

from sqlmodel import Session, col, delete

from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.domain.search import FIELDS, contact_terms


def index_contact(session: Session, contact: Contact) -> None:
    session.exec(delete(ContactSearchTerm).where(col(ContactSearchTerm.contact_id) == contact.id))
    terms = contact_terms({field.key: getattr(contact, field.key) for field in FIELDS})
    session.add_all(
        ContactSearchTerm(contact_id=contact.id, field=field, term=term, owner_id=contact.owner_id)
        for field, term in terms
    )
