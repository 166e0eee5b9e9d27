"""Search of the contact list by typed words (browse by name: db/contact_pages.py).

Search reads the prefix-indexed terms (see crm_pwa/domain/search.py, whose field
ranks set the order below; assets/contactbook.js ranks the same way offline) and must
stay fast when a short prefix matches thousands of contacts, so it never ranks
all the matches: it walks the fields in order of how good a hit is (name,
company, phone, title, tag, email, connection notes) and, within a field, the matching terms in
index order, stopping as soon as the page is full. Each step is one range scan
of a covering index, `field = f AND term >= w AND term < upper(w)`, so a page
costs about the same for 20 matches or 20,000. The first field is asked alone
(it fills most pages); the fields after it go in one statement, a UNION ALL
whose arms PostgreSQL and SQLite run in order and stop at its LIMIT, so a
phone number or an e-mail costs two round trips instead of one per field.

A contact is placed once: at its best field, and there at its first matching
term. So best match first means name hits before company hits and so on, and
within a field the whole word before longer ones ("dan" before "dana"); ties
go by id, which keeps the order total and the keyset cursor exact.

With several words every word must match some term of the contact, and the
longest word decides the place.

When the matches are bound to be few, they are ranked whole in one statement
instead, to the same order: within one rep's contacts (a few thousand at
most), and for several words when some of them match fewer than NARROW_WORD
terms; those words' matches (intersected when several) are the candidates.

The statements are built once per shape and reused with new parameters: at a
few milliseconds per search, building SQL expression trees would be a fair
share of the time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    false,
    func,
    intersect,
    literal,
    or_,
    true,
    tuple_,
    union_all,
)
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact, ContactSearchTerm, Shelf
from crm_pwa.db.contact_pages import (
    BadCursor,
    ContactFilter,
    Found,
    decode_cursor,
    encode_cursor,
    filter_conditions,
)
from crm_pwa.db.user import User
from crm_pwa.domain.search import FIELD_ORDER, prefix_upper_bound

_TERMS = ContactSearchTerm.__table__  # type: ignore[attr-defined]
# Query words matching fewer terms than this are worth intersecting.
NARROW_WORD = 3_000
# A team's shelves, read once per statement however many of its parts ask for them.
_TEAM_SHELVES = (
    select(col(Shelf.id))
    .join(User, col(User.id) == col(Shelf.owner_id))
    .where(col(User.team_id) == bindparam("team", type_=Uuid()))
    .cte("team_shelves")
)


@dataclass(frozen=True, slots=True)
class Whose:
    """Whose contacts a search reads: a team's people's, these owners', or (neither)
    everyone's."""

    owners: list[uuid.UUID] | None = None
    team: uuid.UUID | None = None


def _scope(session: Session, whose: Whose) -> tuple[str, dict[str, Any]]:
    """Which terms to read: every one (admin), a team's, or those on the owners' shelves.

    The owners (one rep, or a manager looking at one rep) usually have one shelf,
    and a few more after receiving whole books: looked up first, so that the plan
    knows them and ranks them whole through the shelf-first index. A team's shelves
    (about one per person) are looked up inside each statement instead: no plan
    reads them through that index (see `_scoped`), so a round trip would buy nothing.
    """
    if whose.team is not None:
        return "team", {"team": whose.team}
    if whose.owners is None:
        return "all", {}
    return "shelves", {"shelves": _shelves(session, whose.owners)}


def _shelves(session: Session, owners: list[uuid.UUID]) -> list[uuid.UUID]:
    """The owners' shelves, in a round trip of its own: a plan that knows the shelf ids
    keeps the shelf-first index (PostgreSQL walks every owner's terms when the
    lookup is a subquery of the search). Through the DB-API cursor, since
    SQLAlchemy's own execute cost more CPU than the search's statement itself.
    """
    raw = session.connection().connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if session.get_bind().dialect.name == "postgresql":
            cursor.execute("SELECT id FROM shelf WHERE owner_id = ANY(%s)", (owners,))
            return [row[0] for row in cursor.fetchall()]
        # SQLite: uuids stored as SQLAlchemy's Uuid type stores them, 32 hex digits.
        marks = ", ".join("?" for _ in owners)
        cursor.execute(f"SELECT id FROM shelf WHERE owner_id IN ({marks})", [o.hex for o in owners])
        return [uuid.UUID(row[0]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def find_contact_ids(
    session: Session,
    whose: Whose,
    words: list[str],
    narrow: ContactFilter,
    limit: int,
    cursor: str | None,
) -> Found:
    """A page of the contacts matching every word, best first; words[0] places them."""
    if not words:
        return [], None
    scope, params = _scope(session, whose)
    if params.get("shelves") == []:
        return [], None
    params |= narrow.params()
    for number, word in enumerate(words):
        params[f"word{number}"] = word
        params[f"upper{number}"] = prefix_upper_bound(word)
    first_step = 0
    if cursor:
        step, term, contact_id = decode_cursor(cursor, "search", 3)
        if not isinstance(step, int) or not 0 <= step < len(FIELD_ORDER):
            raise BadCursor(cursor)
        first_step = step
        params |= {"after_term": term, "after_id": contact_id}
    connection = session.connection()
    intersected = _words_to_intersect(connection, words, scope, params)
    found: list[tuple[uuid.UUID, int, str]] = []
    if intersected is not None:
        params["limit"] = limit + 1
        if cursor:
            params["after_place"] = f"{first_step}{params['after_term']}"
        statement = _ranked_query(intersected, len(words), scope, narrow.shape(), bool(cursor))
        found = [
            (row.contact_id, int(row.place[0]), row.place[1:])
            for row in connection.execute(statement, params)
        ]
    else:
        shape = (len(words) - 1, scope, narrow.shape())
        params["limit"] = limit + 1
        found = [
            (row.contact_id, first_step, row.term)
            for row in connection.execute(_step_query(first_step, *shape, bool(cursor)), params)
        ]
        if len(found) <= limit and first_step + 1 < len(FIELD_ORDER):
            params["limit"] = limit + 1 - len(found)
            found.extend(
                (row.contact_id, row.step, row.term)
                for row in connection.execute(_later_steps_query(first_step + 1, *shape), params)
            )
    next_cursor = None
    if len(found) > limit:
        contact_id, step, term = found[limit - 1]
        next_cursor = encode_cursor("search", [step, term, str(contact_id)])
    return [contact_id for contact_id, _, _ in found[:limit]], next_cursor


def _words_to_intersect(
    connection: Connection, words: list[str], scope: str, params: dict[str, Any]
) -> tuple[int, ...] | None:
    """Which words give the candidates to rank whole, or None to walk the lead's fields.

    One rep's contacts are few enough to rank whole (unless the lead is a single
    letter, which the walk handles better). Elsewhere, with two words of three
    letters or more, the ones matching fewer than NARROW_WORD terms give the
    candidates (intersected when several): one extra round trip counts them,
    capped, because "mar" alone matches every Maria, Mark and Martinez.
    """
    if scope == "shelves":
        return (0,) if len(words[0]) > 1 else None
    long_words = tuple(number for number, word in enumerate(words) if len(word) >= 3)
    if len(long_words) < 2:
        return None
    counts = connection.execute(_count_query(long_words, scope), params | {"cap": NARROW_WORD})
    narrow = tuple(
        number
        for number, count in zip(long_words, counts.one(), strict=True)
        if count < NARROW_WORD
    )
    return narrow or None


@lru_cache(maxsize=256)
def _count_query(numbers: tuple[int, ...], scope: str) -> Any:
    """How many terms each of these words matches, counting no further than `cap`."""
    counts = []
    for number in numbers:
        terms = _TERMS.alias(f"count{number}")
        matching = _scoped(
            select(literal(1)).where(terms.c.field.in_(FIELD_ORDER), *_matches(terms, number)),
            terms,
            scope,
        ).limit(bindparam("cap", type_=Integer()))
        counts.append(select(func.count()).select_from(matching.subquery()).scalar_subquery())
    return select(*counts)


@lru_cache(maxsize=512)
def _step_query(
    step: int,
    other_words: int,
    scope: str,
    narrow: tuple[bool, bool, bool, bool],
    after: bool,
) -> Any:
    """Contacts whose best hit for the lead word is in field FIELD_ORDER[step], in term order.

    Parameters: word0/upper0 (the lead word and its range end), word1.. for the
    other words, shelves or team (by scope), the filter's values, after_term/after_id, limit.
    """
    field = FIELD_ORDER[step]
    hit = _TERMS.alias("hit")
    better = _TERMS.alias("better")
    earlier_fields = FIELD_ORDER[:step]
    # A better field, or an earlier term of this field, already placed the contact.
    placed = _any_row(
        better.c.contact_id == hit.c.contact_id,
        *_matches(better, 0),
        or_(
            better.c.field.in_(earlier_fields) if earlier_fields else false(),
            and_(better.c.field == field, better.c.term < hit.c.term),
        ),
    )
    statement = _scoped(
        select(hit.c.contact_id, hit.c.term).where(hit.c.field == field, *_matches(hit, 0)),
        hit,
        scope,
    )
    # The other words first: they turn most rows away, before the costlier test.
    for number in range(1, other_words + 1):
        other = _TERMS.alias(f"word{number}")
        statement = statement.where(
            _any_row(other.c.contact_id == hit.c.contact_id, *_matches(other, number)).is_not(None)
        )
    statement = statement.where(placed.is_(None))
    if any(narrow):
        statement = statement.join(Contact, col(Contact.id) == hit.c.contact_id).where(
            *filter_conditions(narrow)
        )
    if after:
        statement = statement.where(
            tuple_(hit.c.term, hit.c.contact_id)
            > tuple_(bindparam("after_term", type_=String()), bindparam("after_id", type_=Uuid()))
        )
    return statement.order_by(hit.c.term, hit.c.contact_id).limit(
        bindparam("limit", type_=Integer())
    )


@lru_cache(maxsize=256)
def _later_steps_query(
    first_step: int, other_words: int, scope: str, narrow: tuple[bool, bool, bool, bool]
) -> Any:
    """`_step_query` of every step from `first_step` on, one after the other, as one
    statement: a UNION ALL of the steps in order, cut at `limit` rows.

    Both engines run the arms of a UNION ALL one after the other and stop reading
    at the LIMIT, so a step after the page is full costs nothing, as in a walk of
    one statement per step. Each row says its step, for the next page's cursor.
    No ORDER BY: SQL leaves a UNION's order to the engine, and SQLite and
    PostgreSQL's Append give the arms' rows in turn; a parallel plan could mix
    them, which PostgreSQL does not choose for a page-sized LIMIT over index
    scans. Ordering the union made every arm run to its own limit: the admin's
    p95 went from 12 to 22 ms (2026-12-01, load 4.7).
    """
    arms = []
    for step in range(first_step, len(FIELD_ORDER)):
        arm = _step_query(step, other_words, scope, narrow, False).subquery(f"step{step}")
        arms.append(select(literal(step, Integer()).label("step"), arm.c.contact_id, arm.c.term))
    steps = union_all(*arms).subquery("steps")
    return select(steps.c.step, steps.c.contact_id, steps.c.term).limit(
        bindparam("limit", type_=Integer())
    )


@lru_cache(maxsize=256)
def _ranked_query(
    intersected: tuple[int, ...],
    words: int,
    scope: str,
    narrow: tuple[bool, bool, bool, bool],
    after: bool,
) -> Any:
    """Every contact matching all the words, ranked whole by the lead word's best hit.

    Candidates are the contacts matching the `intersected` words (the lead alone
    means: its matches in scope); every other word filters them, once per contact.
    A contact's place is its best step as a digit followed by the term, so ordering
    by it is ordering by (step, term) as the walk does, and a cursor's (step, term)
    turns back into a place.
    """
    hit = _TERMS.alias("hit")
    step_digit = case(
        {field: str(step) for step, field in enumerate(FIELD_ORDER)}, value=hit.c.field
    )
    ranked = select(hit.c.contact_id, func.min(step_digit + hit.c.term).label("place")).where(
        hit.c.field.in_(FIELD_ORDER), *_matches(hit, 0)
    )
    if intersected == (0,):
        ranked = _scoped(ranked, hit, scope)
    else:
        parts: list[Any] = []
        for number in intersected:
            terms = _TERMS.alias(f"long{number}")
            part = select(terms.c.contact_id).where(
                terms.c.field.in_(FIELD_ORDER), *_matches(terms, number)
            )
            parts.append(_scoped(part, terms, scope))
        chosen: Any = parts[0].distinct()
        if len(parts) > 1:
            chosen = intersect(*parts)
        candidates = chosen.subquery("candidates")
        ranked = ranked.join(candidates, candidates.c.contact_id == hit.c.contact_id)
    if any(narrow):
        ranked = ranked.join(Contact, col(Contact.id) == hit.c.contact_id).where(
            *filter_conditions(narrow)
        )
    ranked = ranked.group_by(hit.c.contact_id)
    for number in range(1, words):
        if number in intersected:
            continue
        # Once per contact, not once per matching term of it (a name, an e-mail and
        # its words often match alike): PostgreSQL keeps a HAVING with a subquery.
        other = _TERMS.alias(f"other{number}")
        ranked = ranked.having(
            _any_row(other.c.contact_id == hit.c.contact_id, *_matches(other, number)).is_not(None)
        )
    places = ranked.subquery("places")
    statement = select(places.c.contact_id, places.c.place)
    if after:
        statement = statement.where(
            tuple_(places.c.place, places.c.contact_id)
            > tuple_(bindparam("after_place", type_=String()), bindparam("after_id", type_=Uuid()))
        )
    return statement.order_by(places.c.place, places.c.contact_id).limit(
        bindparam("limit", type_=Integer())
    )


def _scoped(statement: Any, terms: Any, scope: str) -> Any:
    if scope == "shelves":
        return statement.where(terms.c.shelf_id.in_(bindparam("shelves", expanding=True)))
    if scope == "team":
        team_shelves = select(_TEAM_SHELVES.c.id)
        # Wrapped so that no planner reads it as an index condition: walking the
        # field's terms in order and skipping other teams' rows stops at the
        # LIMIT, where a shelf-first index must sort all of the team's matches.
        return statement.where(terms.c.shelf_id.in_(team_shelves).is_(true()))
    return statement


def _any_row(*conditions: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 when some term meets the conditions, else NULL: an EXISTS test in disguise.

    A plain EXISTS becomes a hash (anti-)join on PostgreSQL, which reads every
    match of the lead word before the LIMIT can stop anything; a scalar
    subquery with LIMIT stays a per-row probe of the primary key, as on SQLite.
    """
    return select(literal(1)).where(*conditions).limit(1).scalar_subquery()


def _matches(terms: Any, number: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        terms.c.term >= bindparam(f"word{number}", type_=String()),
        terms.c.term < bindparam(f"upper{number}", type_=String()),
    )
