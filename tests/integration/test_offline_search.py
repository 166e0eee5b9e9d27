"""Offline search on the phone finds what server search finds, in the same order.

The real assets/contactbook.js runs in Chromium against the real API (served by
uvicorn over the SQLite database of the `db` fixture): it downloads the book of
a rep with 2,000 generated contacts in many scripts, then answers 200 queries
offline; the server's search_contacts (what GET /api/v1/contacts?q= calls)
answers the same queries, followed page by page to the end.
"""

from __future__ import annotations

import random
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from playwright.sync_api import Playwright
from sqlalchemy import insert
from sqlmodel import Session

from crm_pwa.api.app import create_api
from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.shelf import owner_shelf
from crm_pwa.domain.phone import normalise_phone
from crm_pwa.domain.search import FIELDS, contact_terms
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_list import MAX_PAGE, search_contacts
from tests.conftest import Database
from tests.utils.factories import NOW, bearer, make_user

# It drives Chromium: part of the browser suite (`-m "not e2e"` leaves it out).
pytestmark = pytest.mark.e2e

ASSETS = Path(__file__).resolve().parents[2] / "assets"
CHROMIUM = Path("/usr/bin/chromium")
REP = "riley@example.com"
CONTACTS = 2_000
QUERIES = 200
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Book</title></head>
<body><script src="/outbox.js"></script><script src="/contactbook.js"></script></body></html>"""

FIRST = (  # noqa: SIM905 - names read better as prose
    "José Zoë Søren Łukasz Björn Dana Dan Maria Mark Priya Chloé Ægir Мария Иван Ольга "
    "Νίκος Ελένη Οδυσσέας ليلى محمد مرحبا דוד שרה"
).split()
LAST = (  # noqa: SIM905
    "García O'Brien Straße Nguyễn Reyes Patel Johnson Иванова Смирнов Παπαδόπουλος "
    "Ελύτης حداد خوري כהן לוי"
).split()
WHOLE = "王小明 李华 山田太郎 佐藤花子 김민준 이서연 陈静怡 高橋一郎".split()  # noqa: SIM905
COMPANIES = [
    "Acme Logistics",
    "Café Central",
    "Straße Bau",
    "Brightwater Foods",
    "Северный ветер",
    "Ελληνικά Τρόφιμα",
    "مرحبا للتجارة",
    "אור ים",
    "北京科技有限公司",
    "東京タワー商事",
    "서울전자",
    "Sony東京",
]
TITLES = [
    "Head of Purchasing",
    "Site manager",
    "Buyer",
    "Директор по закупкам",
    "Διευθυντής",
    "مدير المبيعات",
    "מנהל רכש",
    "采购经理",
    "営業部長",
    "",
]
NOTES = [
    "Collects vintage vinyl",
    "Runs marathons; training for Berlin",
    "Daughter starts university in May",
    "Allergic to shellfish — mind the lunch spot",
    "Любит рыбалку",
    "Του αρέσει το ποδόσφαιρο",
    "يحب القهوة",
    "אוהב קפה",
    "喜欢喝茶",
    "ゴルフが好き",
    "",
    "",
]
TAGS = ["vip", "renewal", "pilot", "golf", "wine club", "новый", "重要"]


def _contact(rng: random.Random, owner: Any, number: int) -> Contact:
    whole = rng.random() < 0.25
    name = rng.choice(WHOLE) if whole else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    phone, phone_digits = ("", "")
    if rng.random() < 0.8:
        phone, phone_digits = normalise_phone(
            f"+1 {rng.choice(('415', '212', '646'))} 555 {rng.randint(0, 9999):04d}"
        )
    return Contact(
        owner_id=owner,
        name=name,
        company=rng.choice(COMPANIES),
        title=rng.choice(TITLES),
        phone=phone,
        phone_digits=phone_digits,
        email=f"p{number}.{rng.choice(('sales', 'ops', 'jose'))}@example.com"
        if rng.random() < 0.7
        else "",
        tags=rng.sample(TAGS, rng.choice((0, 1, 2))),
        connection_notes=rng.choice(NOTES),
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(minutes=number),
    )


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _query(rng: random.Random, contact: Contact) -> str:
    """Something a person might type to find this contact, or nothing in particular."""
    words = f"{contact.name} {contact.company}".split()
    roll = rng.random()
    if roll < 0.3:
        word = rng.choice(words)
        start = rng.randint(0, max(0, len(word) - 2)) if not word.isascii() else 0
        return word[start : start + rng.randint(1, 5)]
    if roll < 0.4:
        return rng.choice((str.upper, _plain, str.lower))(rng.choice(words))
    if roll < 0.5 and contact.title:
        return rng.choice(contact.title.split())[:5]
    if roll < 0.6 and contact.connection_notes:
        return rng.choice(contact.connection_notes.split())[:6]
    if roll < 0.7 and contact.phone_digits:
        national = contact.phone_digits[-10:]
        return rng.choice(
            (national[-4:], f"{national[3:6]} {national[6:]}", f"({national[:3]}) {national[3:6]}")
        )
    if roll < 0.8:
        return f"{words[0][:3]} {rng.choice(words[1:] or words)[:2]}"
    if roll < 0.85 and contact.email:
        return contact.email[: rng.randint(2, 8)]
    if roll < 0.9 and contact.tags:
        return rng.choice(contact.tags)
    return rng.choice(("xyzzy", "--- !!", "a", "м", "東", "5", "O’Brien", "ΟΔΥΣ", "555"))


@pytest.fixture
def rep(db: Database, session: Session) -> tuple[Actor, list[str]]:
    rng = random.Random(20261130)
    actor = Actor.of(make_user(session, REP))
    contacts = [_contact(rng, actor.id, number) for number in range(CONTACTS)]
    # In bulk, with the terms of the function the app indexes with: ORM objects
    # for 2,000 contacts and their ~60,000 terms would take most of the test's time.
    session.execute(insert(Contact), [contact.model_dump() for contact in contacts])
    shelf = owner_shelf(session, actor.id)
    session.execute(
        insert(ContactSearchTerm),
        [
            {"contact_id": c.id, "field": field, "term": term, "shelf_id": shelf}
            for c in contacts
            for field, term in contact_terms({f.key: getattr(c, f.key) for f in FIELDS})
        ],
    )
    session.commit()
    queries = [_query(rng, rng.choice(contacts)) for _ in range(QUERIES - 4)]
    # The ones issue 10 names: a word only in connection notes, a job title.
    return actor, [*queries, "vinyl", "purch", "采购", "שרה כה"]


@pytest.fixture
def origin(db: Database) -> Iterator[str]:
    app = create_api()
    app.add_api_route("/book.html", lambda: HTMLResponse(PAGE), include_in_schema=False)
    app.mount("/", StaticFiles(directory=ASSETS))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def _server_ids(session: Session, actor: Actor, q: str) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        page = search_contacts(session=session, actor=actor, q=q, limit=MAX_PAGE, cursor=cursor)
        found.extend(str(item.id) for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_offline_search_finds_what_the_server_finds_when_given_the_same_book(
    playwright: Playwright,
    session: Session,
    rep: tuple[Actor, list[str]],
    origin: str,
) -> None:
    actor, queries = rep
    with TestClient(create_api()) as client:
        token = bearer(client, REP)["Authorization"].removeprefix("Bearer ")
    options: dict[str, Any] = {"args": ["--no-sandbox", "--headless"], "headless": True}
    if CHROMIUM.exists():
        options["executable_path"] = str(CHROMIUM)
    browser = playwright.chromium.launch(**options)
    try:
        context = browser.new_context(base_url=origin)
        context.add_init_script(f"localStorage.setItem('rapport_token', '\"{token}\"')")
        page = context.new_page()
        page.goto("/book.html")
        refreshed = page.evaluate("crmBook.refresh()")
        assert (refreshed["updated"], refreshed["error"]) == (CONTACTS, None)
        context.set_offline(True)
        offline = page.evaluate(
            """async (queries) => {
              const found = [];
              for (const q of queries) found.push((await crmBook.search(q, 1e9)).map((c) => c.id));
              return found;
            }""",
            queries,
        )
    finally:
        browser.close()

    differ = [
        (q, online[:5], phone[:5])
        for q, phone in zip(queries, offline, strict=True)
        if (online := _server_ids(session, actor, q)) != phone
    ]
    assert differ == [], f"{len(differ)} of {len(queries)} queries differ, first: {differ[:3]}"
    hits = [len(found) for found in offline]
    assert sum(1 for count in hits if count) >= QUERIES * 0.8
    assert all(hits[-4:]), "the notes, title and multi-script cases found nobody"
