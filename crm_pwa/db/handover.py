"""Moving a book from one owner to another in a handful of set-based statements.

Each statement names the moved contacts by the same condition (the giver's
contacts that pass the filter), so the work is one UPDATE per table whatever the
size of the book: 5,000 contacts move as fast as 5 (bench/handover.py). The
contacts themselves move last, because every other statement finds them through
their current owner.

Search terms are filed on shelves, not owners (db/contact.py): a whole book
moves with the giver's shelves, one row each, and only a part of a book moves
its contacts' terms to a shelf of the receiver's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, select, true, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Select, Update
from sqlmodel import Session, col

from crm_pwa.db.contact import Contact, ContactSearchTerm, Shelf
from crm_pwa.db.interaction import Complaint, FollowUp, Opportunity
from crm_pwa.db.page_cache import large_page_cache
from crm_pwa.db.shelf import owner_shelf
from crm_pwa.domain.handover import BookFilter


@dataclass(frozen=True, slots=True)
class BookCounts:
    contacts: int
    open_follow_ups: int
    opportunities: int
    open_complaints: int


def _has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    """The contact's JSON list of tags holds `tag` (already lower-cased), ignoring case."""
    if session.get_bind().dialect.name == "postgresql":
        tags = func.json_array_elements_text(col(Contact.tags)).table_valued("value")
    else:
        tags = func.json_each(col(Contact.tags)).table_valued("value")
    return exists(
        select(literal_column("1")).select_from(tags).where(func.lower(tags.c.value) == tag)
    )


def _moving(session: Session, giver_id: uuid.UUID, narrow: BookFilter) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [col(Contact.owner_id) == giver_id]
    if narrow.tier is not None:
        conditions.append(col(Contact.tier) == narrow.tier)
    if narrow.kind is not None:
        conditions.append(col(Contact.kind) == narrow.kind)
    if narrow.company is not None:
        conditions.append(func.lower(func.trim(col(Contact.company))) == narrow.company)
    if narrow.tag is not None:
        conditions.append(_has_tag(session, narrow.tag))
    return and_(true(), *conditions)


def _moving_ids(session: Session, giver_id: uuid.UUID, narrow: BookFilter) -> Select[uuid.UUID]:
    return select(col(Contact.id)).where(_moving(session, giver_id, narrow))


def _open_follow_ups(giver_id: uuid.UUID, ids: Select[uuid.UUID]) -> ColumnElement[bool]:
    # Done follow-ups are history: they stay with whoever did them.
    return and_(
        col(FollowUp.owner_id) == giver_id,
        col(FollowUp.status) != "done",
        col(FollowUp.contact_id).in_(ids),
    )


def _opportunities(giver_id: uuid.UUID, ids: Select[uuid.UUID]) -> ColumnElement[bool]:
    return and_(col(Opportunity.owner_id) == giver_id, col(Opportunity.contact_id).in_(ids))


def _open_complaints(giver_id: uuid.UUID, ids: Select[uuid.UUID]) -> ColumnElement[bool]:
    return and_(
        col(Complaint.owner_id) == giver_id,
        col(Complaint.resolved_at).is_(None),
        col(Complaint.contact_id).in_(ids),
    )


def count_book(session: Session, giver_id: uuid.UUID, narrow: BookFilter) -> BookCounts:
    ids = _moving_ids(session, giver_id, narrow)
    counted = select(
        select(func.count())
        .select_from(Contact)
        .where(_moving(session, giver_id, narrow))
        .scalar_subquery(),
        select(func.count())
        .select_from(FollowUp)
        .where(_open_follow_ups(giver_id, ids))
        .scalar_subquery(),
        select(func.count())
        .select_from(Opportunity)
        .where(_opportunities(giver_id, ids))
        .scalar_subquery(),
        select(func.count())
        .select_from(Complaint)
        .where(_open_complaints(giver_id, ids))
        .scalar_subquery(),
    )
    contacts, follow_ups, opportunities, complaints = session.execute(counted).one()
    return BookCounts(contacts, follow_ups, opportunities, complaints)


def _changed(session: Session, statement: Update) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount


def move_book(
    session: Session,
    giver_id: uuid.UUID,
    receiver_id: uuid.UUID,
    narrow: BookFilter,
    now: datetime,
) -> BookCounts:
    """Moves the contacts and what hangs on them; the caller's transaction commits it."""
    # Every statement rewrites pages spread over its table and indexes: on SQLite a
    # large page cache keeps them from spilling to the log and being read back.
    with large_page_cache(session):
        return _move(session, giver_id, receiver_id, narrow, now)


def _move(
    session: Session,
    giver_id: uuid.UUID,
    receiver_id: uuid.UUID,
    narrow: BookFilter,
    now: datetime,
) -> BookCounts:
    ids = _moving_ids(session, giver_id, narrow)
    # First of all, as a re-index does (services/contact_index.py): the contacts'
    # rows, then the shelves. A contact being re-indexed meanwhile is either
    # waited for, or re-indexed afterwards for the receiver.
    session.execute(ids.with_for_update())
    moved_follow_ups = _changed(
        session,
        update(FollowUp)
        .where(_open_follow_ups(giver_id, ids))
        # A reminder the giver had today must still reach the receiver today.
        .values(owner_id=receiver_id, last_reminded_on=None)
        .execution_options(synchronize_session=False),
    )
    moved_opportunities = _changed(
        session,
        update(Opportunity)
        .where(_opportunities(giver_id, ids))
        .values(owner_id=receiver_id)
        .execution_options(synchronize_session=False),
    )
    moved_complaints = _changed(
        session,
        update(Complaint)
        .where(_open_complaints(giver_id, ids))
        .values(owner_id=receiver_id)
        .execution_options(synchronize_session=False),
    )
    if narrow.whole_book:
        # The giver's shelves hold the terms of the giver's contacts and of no one
        # else's: they go over as they are, a row per shelf rather than a couple of
        # dozen terms per contact. The giver gets a new shelf when next indexed.
        session.execute(
            update(Shelf)
            .where(col(Shelf.owner_id) == giver_id)
            .values(owner_id=receiver_id)
            .execution_options(synchronize_session=False)
        )
    else:
        # Found through the primary key, which starts with the contact: as many
        # rows to rewrite as the part of the book that moves.
        session.execute(
            update(ContactSearchTerm)
            .where(col(ContactSearchTerm.contact_id).in_(ids))
            .values(shelf_id=owner_shelf(session, receiver_id))
            .execution_options(synchronize_session=False)
        )
    # A new updated_at brings the contacts into the receiver's offline book on the next sync.
    moved_contacts = _changed(
        session,
        update(Contact)
        .where(_moving(session, giver_id, narrow))
        .values(owner_id=receiver_id, updated_at=now)
        .execution_options(synchronize_session=False),
    )
    return BookCounts(moved_contacts, moved_follow_ups, moved_opportunities, moved_complaints)
