"""Contacts, the terms their search runs on, and the shelves those terms are filed on."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Index, String, Text, Uuid, false
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class Contact(SQLModel, table=True):
    __table_args__ = (
        Index("ix_contact_owner_name", "owner_id", "name"),
        Index("ix_contact_owner_updated", "owner_id", "updated_at"),
        # The admin's contact list, by name, without sorting every contact.
        Index("ix_contact_name", "name", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id")
    name: str = Field(max_length=200)
    company: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=200)
    kind: str = Field(default="customer", max_length=20)
    tier: str = Field(default="medium", max_length=10)
    # None means the tier's rhythm; a number of days overrides it for this person.
    rhythm_days: int | None = Field(default=None)
    phone: str = Field(default="", max_length=40)
    phone_digits: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=320)
    address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    connection_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    do_not_contact: bool = Field(default=False)
    # Unsubscribed from invitations (one-click link): no more invitations, while
    # the rep's own calls and reminders go on; do_not_contact stops everything.
    invitations_opt_out: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, default=False, server_default=false()),
    )
    last_interaction_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    health_score: int | None = Field(default=None)
    health_band: str = Field(default="new", max_length=10)
    health_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# Byte-wise ordering on PostgreSQL makes `term >= 'dan' AND term < 'dao'` a plain
# index range scan, the same as on SQLite.
_TERM = String(64).with_variant(String(64, collation="C"), "postgresql")


class Shelf(SQLModel, table=True):
    """Where a person's search terms are filed: terms name a shelf, not an owner.

    A shelf belongs to one person and holds the terms of their contacts only.
    Handing over a whole book gives the giver's shelves to the receiver, one row
    each, instead of rewriting a couple of dozen terms per contact
    (db/handover.py); a person may so hold several shelves, and one who has none
    gets a new one when a contact of theirs is next indexed (services/contact_index.py).
    """

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True)


class ContactSearchTerm(SQLModel, table=True):
    """One searchable term of a contact: a word of a field, or a suffix of a phone or of a
    run of a script written without spaces (crm_pwa/domain/search.py)."""

    # Search walks one field's terms in order and stops when a page is full
    # (db/contact_search.py): covering indexes, with and without the shelf.
    __table_args__ = (
        Index("ix_contactsearchterm_field_term", "field", "term", "contact_id", "shelf_id"),
        Index("ix_contactsearchterm_shelf_field_term", "shelf_id", "field", "term", "contact_id"),
    )

    # No foreign key: checking it was a third of PostgreSQL's work in an import
    # (docs/benchmarks.md). The code that deletes a contact deletes its terms, and
    # terms are written under the contact row's lock (services/contact_index.py)
    # or for a contact created in the same transaction (db/contact_import.py).
    contact_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    field: int = Field(primary_key=True)
    term: str = Field(sa_column=Column(_TERM, primary_key=True))
    # A shelf of the contact's owner (no foreign key either, for the same reason).
    # No index of its own: (shelf_id, field, term, contact_id) serves lookups by shelf.
    shelf_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
