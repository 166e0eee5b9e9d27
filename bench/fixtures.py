"""Bulk data for the benchmarks: teams of reps with many realistic contacts, fast.

Rows go in through SQLAlchemy Core `executemany` in chunks (no ORM objects, no
COPY), so 100,000 contacts with their ~2 million search terms load in well
under a minute on SQLite and PostgreSQL alike. Search terms come from the same
`contact_terms` the app indexes with, so what is measured is what ships.

    org = build_org(engine, contacts=100_000, reps=50, team_size=10, seed=7)
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from psycopg.types.string import StrBinaryDumper
from sqlalchemy import JSON, String, Table
from sqlalchemy.engine import Connection, Engine

from crm_pwa.db.contact import Contact, ContactSearchTerm, Shelf
from crm_pwa.db.interaction import Interaction
from crm_pwa.db.user import Team, User
from crm_pwa.domain.search import contact_terms
from crm_pwa.services import demo, demo_words
from crm_pwa.services.actor import Actor

CHUNK = 10_000
# Nobody signs in during a benchmark: one placeholder hash spares 100 argon2 runs.
NO_PASSWORD = "$argon2id$v=19$m=65536,t=3,p=4$bm9wZQ$bm9wZQ"

FIRST = (  # noqa: SIM905 - a name list reads better as prose
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna "
    "Larry Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel "
    "Helen Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack "
    "Catherine Dennis Heather Jerry Diane Tyler Olivia Aaron Julie Jose Joyce Adam Victoria "
    "Nathan Ruth Henry Virginia Zachary Lauren Douglas Kelly Peter Christina Kyle Joan Noah "
    "Evelyn Ethan Judith Jeremy Andrea Walter Hannah Christian Megan Keith Cheryl Roger "
    "Jacqueline Terry Martha Austin Madison Sean Teresa Gerald Gloria Carl Sara Harold Janice "
    "Dylan Ann Arthur Kathryn Lawrence Abigail Jordan Sophia Jesse Frances Bryan Jean Billy "
    "Alice Bruce Judy Gabriel Isabella Joe Julia Logan Grace Alan Amber Juan Denise Albert "
    "Danielle Willie Marilyn Elijah Beverly Wayne Charlotte Randy Natalie Vincent Theresa "
    "Mason Diana Roy Brittany Ralph Doris Bobby Kayla Russell Alexis Bradley Lori Philip "
    "Dana Priya Marcus Elena Tomás Aisha Wei Kofi Sofia Liam Mei Fatima Yuki Mateo Zoë "
    "Ibrahim Chloe Ravi Nora Diego Amara Jonas Leila Ingrid Søren José Renée Aoife Björn"
).split()
LAST = (  # noqa: SIM905
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris "
    "Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly "
    "Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza "
    "Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell "
    "Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher "
    "Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin "
    "Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens "
    "Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy "
    "Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt Hicks Holmes Palmer "
    "Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt "
    "Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn "
    "Kowalski García Okoye Zhang Müller Mensah Rossi Tanaka Haddad Sato O'Brien Lindqvist "
    "Adeyemi Dubois Sharma Novak Fernández Nwosu Berg Østergaard Łukasik Nakamura Khan"
).split()
COMPANY_HEADS = (  # noqa: SIM905
    "Acme Brightwater Cedar Delta Evergreen Falcon Granite Harbor Ironwood Juniper Keystone "
    "Lakeside Meridian Northwind Orchard Pioneer Quantum Redwood Summit Tidewater Union "
    "Vertex Willow Xenon Yellowstone Zenith Atlas Beacon Cobalt Driftwood Ember Frontier "
    "Glacier Horizon Ivory Jasper Kestrel Lumen Mosaic Nimbus Onyx Pinnacle Quarry Riverside "
    "Sterling Trident Upland Vanguard Westfield Apex"
).split()
COMPANY_TAILS = (  # noqa: SIM905
    "Logistics Foods Builders Medical Schools Freight Insurance Hotels Tools Clinics Energy "
    "Farms Labs Traders Retail Plastics Systems Partners Dental Motors Foundry Analytics "
    "Brewing Textiles Pharma Aviation Realty Marine Robotics Software"
).split()
TITLES = (
    *demo_words.TITLES,
    "Office Manager",
    "VP Sales",
    "Plant Manager",
    "Buyer",
    "Practice Manager",
)
TAGS = ("renewal", "vip", "expansion", "pilot", "referral", "north", "south", "events", "trade")
AREA_CODES = (  # noqa: SIM905
    "212 213 305 310 312 323 347 404 408 415 424 469 503 510 512 617 619 646 650 702 703 713 "
    "718 720 737 773 786 805 808 818 832 857 858 909 917 925 929 949 971 972"
).split()
TIERS = ("high", "medium", "medium", "low")
BANDS = ("strong", "strong", "watch", "at_risk", "new")


@dataclass
class Org:
    """What was built: the people (as Actors) and every contact's searchable facts."""

    admin: Actor
    managers: list[Actor]
    reps: list[Actor]
    contacts: list[dict[str, Any]] = field(default_factory=list)


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.9:
        return f"1{rng.choice(AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    return f"44{rng.choice(('20', '161', '131', '117'))}{rng.randint(1000000, 9999999)}"


def _contact_row(rng: random.Random, owner: uuid.UUID, now: datetime) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    head, tail = rng.choice(COMPANY_HEADS), rng.choice(COMPANY_TAILS)
    local = f"{first}.{last}".lower().replace("'", "")
    digits = _phone(rng)
    return {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
        "owner_id": owner,
        "name": f"{first} {last}",
        "company": f"{head} {tail}",
        "title": rng.choice(TITLES),
        "kind": rng.choice(demo.KINDS),
        "tier": rng.choice(TIERS),
        "rhythm_days": None,
        "phone": f"+{digits}",
        "phone_digits": digits,
        "email": f"{local}@{head.lower()}{tail.lower()}.example",
        "address": f"{rng.randint(1, 999)} Market St",
        "tags": rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2))),
        "connection_notes": rng.choice(demo_words.CONNECTIONS) if rng.random() < 0.7 else "",
        "do_not_contact": rng.random() < 0.02,
        "last_interaction_at": None,
        "health_score": rng.randint(0, 100),
        "health_band": rng.choice(BANDS),
        "health_reasons": [],
        "created_at": now - timedelta(days=rng.randint(30, 900)),
        "updated_at": now - timedelta(days=rng.randint(0, 30)),
    }


def build_org(
    engine: Engine,
    *,
    contacts: int,
    reps: int = 50,
    team_size: int = 10,
    interactions_per_contact: int = 0,
    today: date = date(2026, 11, 23),
    seed: int = 7,
) -> Org:
    """Teams of `team_size` reps with one manager each, one admin, contacts spread evenly.

    With `interactions_per_contact`, each contact also gets that many interactions
    over the last year and its `last_interaction_at` set to the newest.
    """
    rng = random.Random(seed)
    now = datetime.combine(today, time(12, 0), UTC)
    people: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    admin = Actor(uuid.uuid4(), "Admin", "admin@bench.example", "admin", None, "UTC")
    managers: list[Actor] = []
    rep_actors: list[Actor] = []
    for number in range(reps):
        if number % team_size == 0:
            team_id = uuid.uuid4()
            teams.append({"id": team_id, "name": f"Team {len(teams) + 1}", "created_at": now})
            managers.append(
                Actor(
                    uuid.uuid4(),
                    f"Manager {len(teams)}",
                    f"manager{len(teams)}@bench.example",
                    "manager",
                    team_id,
                    "UTC",
                )
            )
        rep_actors.append(
            Actor(
                uuid.uuid4(), f"Rep {number}", f"rep{number}@bench.example", "rep", team_id, "UTC"
            )
        )
    for actor in (admin, *managers, *rep_actors):
        people.append(
            {
                "id": actor.id,
                "email": actor.email,
                "name": actor.name,
                "password_hash": NO_PASSWORD,
                "role": actor.role,
                "team_id": actor.team_id,
                "time_zone": "UTC",
                "reminder_time": time(9, 0),
                "quiet_start": time(20, 0),
                "quiet_end": time(8, 0),
                "is_active": True,
                "created_at": now,
            }
        )
    org = Org(admin=admin, managers=managers, reps=rep_actors)
    bulk = (_table(Contact), _table(ContactSearchTerm), _table(Interaction))
    with engine.begin() as connection, _indexes_built_after(connection, bulk):
        bulk_insert(connection, _table(Team), teams)
        bulk_insert(connection, _table(User), people)
        # One shelf per rep, with the rep's id, as the migration gave existing people.
        shelves = [{"id": actor.id, "owner_id": actor.id} for actor in rep_actors]
        bulk_insert(connection, _table(Shelf), shelves)
        for chunk in _chunks(
            _contact_row(rng, rep_actors[index % reps].id, now) for index in range(contacts)
        ):
            history = _interaction_rows(rng, chunk, interactions_per_contact, now)
            bulk_insert(connection, _table(Contact), chunk)
            bulk_insert(connection, _table(ContactSearchTerm), list(_term_rows(chunk)))
            bulk_insert(connection, _table(Interaction), history)
            org.contacts.extend(
                {key: row[key] for key in ("id", "owner_id", "name", "company", "phone_digits")}
                | {"email": row["email"], "tags": row["tags"]}
                for row in chunk
            )
    return org


@contextmanager
def _indexes_built_after(connection: Connection, tables: tuple[Table, ...]) -> Iterator[None]:
    """Drops the secondary indexes for the load and builds them once at the end.

    Sorting once is much faster than keeping random-order B-trees up to date
    row by row; the indexes that result are the same ones the migrations make.
    """
    indexes = [index for table in tables for index in table.indexes]
    if connection.dialect.name == "sqlite":
        # Room for the primary-key B-trees that still grow row by row.
        connection.exec_driver_sql("PRAGMA cache_size = -500000")
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts rows (dicts with the same keys) as fast as each database allows, without COPY.

    SQLite's executemany is a loop in C. PostgreSQL would pay a round trip per
    row, so there each column travels as one array and `unnest` turns the
    arrays back into rows: one statement per CHUNK rows.
    """
    if not rows:
        return
    dialect = connection.dialect
    columns = [table.c[name] for name in rows[0]]
    if dialect.name != "postgresql":
        # The column types' own converters, then the driver: SQLAlchemy's
        # per-row bookkeeping would cost more than SQLite's insert itself.
        processors = [
            column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns
        ]
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(dialect.identifier_preparer.quote(c.name) for c in columns)}) "
            f"VALUES ({marks})",
            [
                tuple(
                    process(row[column.name]) if process else row[column.name]
                    for column, process in zip(columns, processors, strict=True)
                )
                for row in rows
            ],
        )
        return
    quote = dialect.identifier_preparer.quote
    # Strings go as text[]: a column's collation cannot be part of an array cast.
    casts = ", ".join(
        "%b::"
        + ("TEXT" if isinstance(column.type, String) else column.type.compile(dialect))
        + "[]"
        for column in columns
    )
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(column.name) for column in columns)}) "
        f"SELECT * FROM unnest({casts})"
    )
    # psycopg adapts uuids, datetimes, numbers and booleans itself; JSON goes as text.
    json_columns = {column.name for column in columns if isinstance(column.type, JSON)}
    for chunk in _chunks(iter(rows)):
        arrays = [
            [json.dumps(row[column.name]) for row in chunk]
            if column.name in json_columns
            else [row[column.name] for row in chunk]
            for column in columns
        ]
        # %b sends binary arrays: the text format would quote every element in Python.
        with connection.connection.cursor() as cursor:
            cursor.adapters.register_dumper(str, StrBinaryDumper)
            cursor.execute(statement, tuple(arrays))


def _term_rows(contacts: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in contacts:
        for term_field, term in contact_terms(row):
            yield {
                "contact_id": row["id"],
                "field": term_field,
                "term": term,
                "shelf_id": row["owner_id"],
            }


def _interaction_rows(
    rng: random.Random, contacts: list[dict[str, Any]], per: int, now: datetime
) -> list[dict[str, Any]]:
    """`per` interactions for each contact, setting each contact's `last_interaction_at`."""
    rows: list[dict[str, Any]] = []
    if per == 0:
        return rows
    for contact in contacts:
        times = sorted(now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(per))
        contact["last_interaction_at"] = times[-1]
        for at in times:
            rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "contact_id": contact["id"],
                    "author_id": contact["owner_id"],
                    "kind": rng.choice(("meeting", "call", "email", "message", "visit", "note")),
                    "direction": rng.choice(("outbound", "outbound", "inbound")),
                    "occurred_at": at,
                    "summary": "Checked in on the account.",
                    "sentiment": rng.choice(("positive", "positive", "neutral", "negative")),
                    "created_at": at,
                }
            )
    return rows
