"""Taking data out on a phone: the contact book from Settings, the calendar address, one
person's file from the card; and no request about a contact leaves for another site."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import vobject
from icalendar import Calendar
from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import OTHER_REP, RunningApp, sign_in


def _saved(page: Page, button: str, folder: Path) -> Path:
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    download = download_info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_rep_downloads_the_book_subscribes_and_rotates_the_calendar_and_exports_a_person(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    app_host = urlsplit(app_server.url).netloc
    elsewhere: list[str] = []

    def watch(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != app_host:
            elsewhere.append(request.url)

    page.on("request", watch)
    token = app_server.token(OTHER_REP)
    visible = set(app_server.api("GET", "/contacts/ids", token=token).json()["ids"])
    sign_in(page, email=OTHER_REP)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()

    vcard = _saved(page, "Download contacts (vCard)", tmp_path)
    assert vcard.suffix == ".vcf"
    cards = list(vobject.readComponents(vcard.read_text(encoding="utf-8")))
    assert {card.uid.value.removeprefix("urn:uuid:") for card in cards} == visible
    expect(page.get_by_role("status").filter(has_text=f"Saved {vcard.name}")).to_be_visible()

    table = _saved(page, "Download contacts (CSV)", tmp_path)
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Company", "Title", "Email", "Phone"]
    assert len(rows) == len(visible) + 1

    page.get_by_role("button", name="Make a calendar address").click()
    address = page.get_by_label("Calendar address")
    expect(address).to_have_value(re.compile(re.escape(f"{app_server.url}/api/v1/calendar/")))
    first = address.input_value()
    subscribe = page.get_by_role("link", name="Subscribe on this phone")
    expect(subscribe).to_have_attribute("href", "webcal://" + first.split("://", 1)[1])
    feed = page.request.get(first)
    assert feed.ok
    events = Calendar.from_ical(feed.body()).walk("VEVENT")
    open_follow_ups = app_server.api("GET", "/follow-ups", token=token, params={"status": "open"})
    assert len(events) >= 1
    assert {str(e["uid"]).removesuffix("@rapport") for e in events} <= {
        item["id"] for item in open_follow_ups.json()["items"]
    }

    page.get_by_role("button", name="Make a new calendar address").click()
    expect(address).not_to_have_value(first)
    second = address.input_value()
    assert page.request.get(first).status == 404
    assert page.request.get(second).ok
    page.reload()
    expect(page.get_by_text("Calendar address: on.")).to_be_visible()
    expect(page.get_by_label("Calendar address")).to_have_count(0)

    cards_with_address = [card for card in cards if "adr" in card.contents]
    person = cards_with_address[0]
    person_id = person.uid.value.removeprefix("urn:uuid:")
    page.goto(f"/contacts/{person_id}")
    expect(page.get_by_role("heading", name=person.fn.value)).to_be_visible()
    saved = _saved(page, "Export everything about this person", tmp_path)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert exported["contact"]["id"] == person_id
    assert {"interactions", "follow_ups", "complaints", "opportunities", "timeline"} <= set(
        exported
    )
    # The map is a plain link the rep taps; nothing about the person was fetched elsewhere.
    map_link = page.get_by_role("link", name="Map")
    expect(map_link).to_have_attribute("href", re.compile(r"^https://www\.google\.com/maps/"))
    assert elsewhere == []
