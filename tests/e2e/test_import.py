"""A brand-new rep brings their contacts in from a vCard, finds one, and erases it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import Session

from crm_pwa.services import auth
from tests.e2e.conftest import RunningApp, app_scripts_ran, sign_in
from tests.utils.app_server import PASSWORD

IPHONE_VCARD = Path(__file__).resolve().parents[1] / "data" / "import" / "iphone.vcf"


def _new_rep(app_server: RunningApp) -> str:
    """A rep with an empty book, added through the same service as `create-user`."""
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    database = Path(app_server.env["RAPPORT_DATA_DIR"]) / "rapport.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        auth.create_user(
            session=session,
            email=email,
            name="Noor Iyer",
            password=PASSWORD,
            role="rep",
            now=datetime.now(UTC),
            time_zone="Asia/Kolkata",
        )
        session.commit()
    engine.dispose()
    return email


def test_new_rep_imports_a_vcard_finds_a_contact_and_erases_it_when_starting_empty(
    page: Page, app_server: RunningApp
) -> None:
    email = _new_rep(app_server)
    sign_in(page, email)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_role("link", name="Import your contacts")).to_be_visible()

    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_role("link", name="Import your contacts")).to_be_visible()
    expect(page.get_by_text("No contact matches.")).to_have_count(0)
    page.get_by_role("link", name="Import your contacts").click()

    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    # Headless Chromium has no Contact Picker: the button is not offered.
    expect(page.get_by_role("button", name="Pick from this phone's contacts")).to_have_count(0)
    page.locator("input[type=file]").set_input_files(str(IPHONE_VCARD))
    preview = page.get_by_role("heading", name="Preview of iphone.vcf")
    expect(preview).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="to create")).to_have_text("2 to create")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Import done")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="created")).to_have_text("2 created")
    expect(page.get_by_role("listitem").filter(has_text="with problems")).to_have_text(
        "0 with problems"
    )
    page.get_by_role("link", name="Open your contacts").click()

    page.get_by_label("Search contacts").fill("okafor")
    row = page.locator("[data-contact-row]").filter(has_text="Chidi Okafor")
    expect(row).to_be_visible()
    row.click()
    expect(page.get_by_role("heading", name="Chidi Okafor", level=1)).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Erase").click()

    expect(page).to_have_title("Contacts · Rapport")
    token = app_server.token(email)
    left = app_server.api("GET", "/contacts", token=token).json()["items"]
    assert [item["name"] for item in left] == ["Dana Maria Reyes"]


PICKED_JS = """async () => {
  const vcard = window.rapportContactsToVcard([
    {name: ["Okafor; Chidi, Jr."], email: ["chidi@okafor.example"], tel: ["+44 20 7946 0958"]},
    {name: [], email: ["nobody@example.com"], tel: []},
  ]);
  const body = new FormData();
  body.append("file", new Blob([vcard], {type: "text/vcard"}), "picked.vcf");
  const answer = await fetch("/api/v1/import", {
    method: "POST",
    headers: {Authorization: "Bearer " + localStorage.getItem("rapport_token")},
    body,
  });
  return answer.json();
}"""


def test_contacts_picked_on_the_phone_import_as_the_server_reads_them(
    page: Page, app_server: RunningApp
) -> None:
    # The Contact Picker itself is Android-only; what the page sends from its answer
    # is checked here against the real import route.
    email = _new_rep(app_server)
    sign_in(page, email)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto("/import")
    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    app_scripts_ran(page)

    report = page.evaluate(PICKED_JS)

    assert (report["created"], report["errors"]) == (1, [])
    (contact,) = app_server.api("GET", "/contacts", token=app_server.token(email)).json()["items"]
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Okafor; Chidi, Jr.",
        "chidi@okafor.example",
        "+442079460958",
    )
