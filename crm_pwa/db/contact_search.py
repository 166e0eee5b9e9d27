"""The two queries behind the contact list: search by typed words, and browse by name.

Search reads the prefix-indexed terms (see crm_pwa/domain/search.py, whose field
ranks set the order below; assets/contactbook.js ranks the same way offline) and must
stay fast when a short prefix matches thousands of contacts, so it never ranks
all the matches: it walks the fields in order of how good a hit is (name,
company, phone, title, tag, email, connection notes) and, within a field, the matching terms in
index order, stopping as soon as the page is full. Each step is one range scan
of a covering index, `field = f AND term >= w AND term < upper(w)`, so a page
costs about the same for 20 matches or 20,000.

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

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
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
)
from sqlmodel import Session, col, select

from crm_pwa.db.columns import UTCDateTime
from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.domain.search import FIELD_ORDER, prefix_upper_bound

Found = tuple[list[uuid.UUID], str | None]
_TERMS = ContactSearchTerm.__table__  # type: ignore[attr-defined]
# Query words matching fewer terms than this are worth intersecting.
NARROW_WORD = 3_000


class BadCursor(ValueError):
    """A page cursor this module did not make."""


@dataclass(frozen=True, slots=True)
class ContactFilter:
    """Already validated narrowing of a list or a search; None means any."""

    kind: str | None = None
    tier: str | None = None
    band: str | None = None
    updated_since: datetime | None = None

    def shape(self) -> tuple[bool, bool, bool, bool]:
        return (
            self.kind is not None,
            self.tier is not None,
            self.band is not None,
            self.updated_since is not None,
        )

    def params(self) -> dict[str, Any]:
        values = {
            "kind": self.kind,
            "tier": self.tier,
            "band": self.band,
            "updated_since": self.updated_since,
        }
        return {name: value for name, value in values.items() if value is not None}


def _filter_conditions(shape: tuple[bool, bool, bool, bool]) -> list[ColumnElement[bool]]:
    kind, tier, band, updated_since = shape
    conditions: list[ColumnElement[bool]] = []
    if kind:
        conditions.append(col(Contact.kind) == bindparam("kind", type_=String()))
    if tier:
        conditions.append(col(Contact.tier) == bindparam("tier", type_=String()))
    if band:
        conditions.append(col(Contact.health_band) == bindparam("band", type_=String()))
    if updated_since:
        conditions.append(
            col(Contact.updated_at) >= bindparam("updated_since", type_=UTCDateTime())
        )
    return conditions


def _scope(session: Session, owners: list[uuid.UUID] | None) -> tuple[str, dict[str, Any]]:
    """Which terms to read: every one (admin), or those on the owners' shelves.

    One owner ("one": a rep, or a manager looking at one rep) usually has one shelf,
    and a few more after receiving whole books; a team has about one per person.
    """
    if owners is None:
        return "all", {}
    return ("one" if len(owners) == 1 else "many"), {"shelves": _shelves(session, owners)}


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
    owners: list[uuid.UUID] | None,
    words: list[str],
    narrow: ContactFilter,
    limit: int,
    cursor: str | None,
) -> Found:
    """A page of the contacts matching every word, best first; words[0] places them."""
    if not words:
        return [], None
    scope, params = _scope(session, owners)
    if params.get("shelves") == []:
        return [], None
    params |= narrow.params()
    for number, word in enumerate(words):
        params[f"word{number}"] = word
        params[f"upper{number}"] = prefix_upper_bound(word)
    first_step = 0
    if cursor:
        step, term, contact_id = _decode(cursor, "search", 3)
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
        for step in range(first_step, len(FIELD_ORDER)):
            statement = _step_query(
                step, len(words) - 1, scope, narrow.shape(), bool(cursor) and step == first_step
            )
            params["limit"] = limit + 1 - len(found)
            found.extend(
                (row.contact_id, step, row.term) for row in connection.execute(statement, params)
            )
            if len(found) > limit:
                break
    next_cursor = None
    if len(found) > limit:
        contact_id, step, term = found[limit - 1]
        next_cursor = _encode("search", [step, term, str(contact_id)])
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
    if scope == "one":
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
    other words, shelves, the filter's values, after_term/after_id, limit.
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
            *_filter_conditions(narrow)
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
def _ranked_query(
    intersected: tuple[int, ...],
    words: int,
    scope: str,
    narrow: tuple[bool, bool, bool, bool],
    after: bool,
) -> Any:
    """Every contact matching all the words, ranked whole by the lead word's best hit.

    Candidates are the contacts matching the `intersected` words (the lead alone
    means: its matches in scope); every other word filters. A contact's place is
    its best step as a digit followed by the term, so ordering by it is ordering
    by (step, term) as the walk does, and a cursor's (step, term) turns back
    into a place.
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
    for number in range(1, words):
        if number in intersected:
            continue
        other = _TERMS.alias(f"other{number}")
        ranked = ranked.where(
            _any_row(other.c.contact_id == hit.c.contact_id, *_matches(other, number)).is_not(None)
        )
    if any(narrow):
        ranked = ranked.join(Contact, col(Contact.id) == hit.c.contact_id).where(
            *_filter_conditions(narrow)
        )
    places = ranked.group_by(hit.c.contact_id).subquery("places")
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
    shelves = terms.c.shelf_id.in_(bindparam("shelves", expanding=True))
    if scope == "one":
        return statement.where(shelves)
    if scope == "many":
        # Wrapped so that no planner reads it as an index condition: walking the
        # field's terms in order and skipping other teams' rows stops at the
        # LIMIT, where a shelf-first index must sort all of the team's matches.
        return statement.where(shelves.is_(true()))
    return statement


def list_contacts(
    session: Session,
    owners: list[uuid.UUID] | None,
    narrow: ContactFilter,
    limit: int,
    cursor: str | None,
) -> Found:
    page = select(col(Contact.id), col(Contact.name)).where(*_filter_conditions(narrow.shape()))
    if owners is not None:
        page = page.where(col(Contact.owner_id).in_(owners))
    if cursor:
        name, after = _decode(cursor, "name", 2)
        page = page.where(
            tuple_(col(Contact.name), col(Contact.id))
            > tuple_(literal(name), literal(after, Uuid()))
        )
    rows = session.exec(
        page.order_by(col(Contact.name), col(Contact.id)).limit(limit + 1),
        params=narrow.params(),
    ).all()
    next_cursor = None
    if len(rows) > limit:
        last_id, last_name = rows[limit - 1]
        next_cursor = _encode("name", [last_name, str(last_id)])
    return [contact_id for contact_id, _ in rows[:limit]], next_cursor


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


def _encode(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, kind: str, size: int) -> tuple[Any, ...]:
    """The values of a cursor made by `_encode(kind, ...)`; the last one is the contact id."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size + 1 or values[0] != kind:
            raise ValueError(cursor)
        if not isinstance(values[-2], str):
            raise ValueError(cursor)
        return (*values[1:-1], uuid.UUID(values[-1]))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, AttributeError) as error:
        raise BadCursor(cursor) from error
