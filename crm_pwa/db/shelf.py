"""A person's shelf to file search terms on (the Shelf table is in db/contact.py)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from crm_pwa.db.contact import Shelf


def owner_shelf(session: Session, owner_id: uuid.UUID) -> uuid.UUID:
    """A shelf of the owner's, held (FOR SHARE) until the transaction ends; a new one
    when they have none (never had a contact, or gave their whole book away).

    The hold makes a handover that gives the shelf away (db/handover.py) wait for
    the terms being filed on it, and then move the contact they belong to as well.
    """
    query = (
        select(Shelf.id)
        .where(col(Shelf.owner_id) == owner_id)
        .order_by(col(Shelf.id))
        .limit(1)
        .with_for_update(read=True)
    )
    shelf_id = session.exec(query).first()
    if shelf_id is not None:
        return shelf_id
    shelf = Shelf(owner_id=owner_id)
    session.add(shelf)
    session.flush()
    return shelf.id
