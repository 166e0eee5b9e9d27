"""axe-core finds no serious or critical failure on any page, phone or desktop, light or dark.

Every page a rep or a manager reaches is checked as each of them, on a Pixel 7,
on the same phone narrowed to 360 px and at 1280 px, with the browser asking for
light and for dark colours. The page structure rules (one `main`, everything
inside landmarks, one `h1`, a title) must pass whatever axe rates them. axe-core
comes from the npm registry into `.tools` (the Makefile installs it before
`make test`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import ADMIN, MANAGER, REP, RunningApp, sign_in
from tests.utils.app_server import ROOT

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
GOOGLE_CSV = ROOT / "tests" / "data" / "import" / "google.csv"
FAILING_IMPACTS = {"serious", "critical"}
# Structure every page must have, whatever impact axe gives a miss.
STRUCTURE_RULES = {
    "landmark-one-main",
    "region",
    "page-has-heading-one",
    "document-title",
    "landmark-no-duplicate-main",
    "landmark-unique",
}
EVERY_RULE = {
    "type": "tag",
    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
}
# Dark mode changes colours only, not the page's structure or names: the second
# pass runs the rules that read colours, which keeps the test short.
COLOUR_RULES = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
RUN_AXE_JS = """async (runOnly) => {
  axe.configure({ noHtml: true });
  const result = await axe.run(document, { runOnly, resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
  }));
}"""
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# The narrowest phone the layout is made for, with the Pixel 7's touch and pixel ratio.
NARROW = {"width": 360, "height": 780}
OTHER_REP_NAME = "Sam Okafor"


# Moves to another page the way a tapped link does (React Router follows the
# history), so axe, once injected, stays loaded and the page is not hydrated again.
GO_JS = """(path) => {
  history.pushState({}, '', path);
  dispatchEvent(new PopStateEvent('popstate', { state: {} }));
}"""
# The sign-in page has no React and no Radix theme: its CSS follows the emulated
# `prefers-color-scheme` at once.
SCHEME_JS = """(scheme) => {
  const themed = document.querySelector('.radix-themes');
  return !themed || (document.documentElement.classList.contains(scheme)
    && themed.classList.contains(scheme));
}"""


@dataclass(frozen=True)
class Visitor:
    email: str
    contact_id: str
    contact_name: str


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test`, which installs axe-core")
    return AXE.read_text()


def _visitor(app_server: RunningApp, email: str) -> Visitor:
    # An at-risk contact: its card carries the red badge, the strongest colour test.
    found = app_server.api(
        "GET", "/contacts", token=app_server.token(email), params={"band": "at_risk", "limit": 1}
    ).json()["items"]
    return Visitor(email, str(found[0]["id"]), found[0]["name"])


def _signed_in_storage(app_server: RunningApp, email: str) -> dict[str, Any]:
    """The browser storage of a signed-in visitor: the app keeps its token in localStorage."""
    token = {"name": "rapport_token", "value": app_server.token(email)}
    return {"cookies": [], "origins": [{"origin": app_server.url, "localStorage": [token]}]}


def _check(page: Page, axe_source: str, where: str) -> list[str]:
    """Runs axe in light, then its colour rules in dark mode; returns what fails, in words."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator(".rt-Spinner:visible")).to_have_count(0)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    found = []
    for scheme, rules in (("light", EVERY_RULE), ("dark", COLOUR_RULES)):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(SCHEME_JS, arg=scheme)
        for violation in page.evaluate(RUN_AXE_JS, rules):
            if violation["impact"] in FAILING_IMPACTS or violation["id"] in STRUCTURE_RULES:
                nodes = "\n      ".join(violation["nodes"])
                found.append(
                    f"{where} ({scheme}): {violation['id']} ({violation['impact']}) "
                    f"{violation['help']}\n      {nodes}"
                )
    return found


def _go(page: Page, path: str, title: str) -> None:
    page.evaluate(GO_JS, path)
    expect(page).to_have_title(title)


def _invitation_pages(
    page: Page, app_server: RunningApp, visitor: Visitor, axe_source: str, label: str
) -> list[str]:
    """Invitations, a new one's form, and a draft's preview with "Include anyway" asked.

    The draft (low-touch contacts, some left out as contacted within their rhythm)
    sends nothing: no contact's story changes for the tests after this one.
    """
    problems: list[str] = []
    draft = app_server.api(
        "POST",
        "/invitations",
        token=app_server.token(visitor.email),
        json={
            "kind": "campaign",
            "title": "Winter newsletter",
            "message": "Dear {first_name}, news from {rep_name}.",
            "filters": {"tier": "low"},
        },
    )
    assert draft.status_code == 201, draft.text
    _go(page, "/invitations", "Invitations · Rapport")
    expect(page.locator("[data-invitation]").first).to_be_visible()
    problems += _check(page, axe_source, f"{label} Invitations")

    _go(page, "/invitations/new", "New invitation · Rapport")
    expect(page.get_by_label("Title")).to_be_visible()
    problems += _check(page, axe_source, f"{label} new invitation")

    _go(page, f"/invitations/{draft.json()['invitation']['id']}", "Winter newsletter · Rapport")
    expect(page.get_by_role("button", name=re.compile("^Send to"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Include anyway: ")).first.click()
    expect(page.get_by_role("button", name="Yes, invite")).to_be_visible()
    problems += _check(page, axe_source, f"{label} invitation preview")
    return problems


def _signed_in_pages(
    page: Page, app_server: RunningApp, visitor: Visitor, axe_source: str, label: str
) -> list[str]:
    problems: list[str] = []
    page.goto("/")
    expect(page).to_have_title("Today · Rapport")
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    problems += _check(page, axe_source, f"{label} Today")

    _go(page, "/contacts", "Contacts · Rapport")
    expect(page.locator("[data-contact-row]").first).to_be_visible()
    problems += _check(page, axe_source, f"{label} Contacts")

    _go(page, f"/contacts/{visitor.contact_id}", f"{visitor.contact_name} · Rapport")
    expect(page.get_by_role("heading", name=visitor.contact_name, level=1)).to_be_visible()
    problems += _check(page, axe_source, f"{label} contact card")
    page.get_by_role("button", name="Log a meeting").click()
    sheet = page.get_by_role("dialog", name="Log a meeting")
    expect(sheet).to_be_visible()
    problems += _check(page, axe_source, f"{label} log sheet")
    sheet.get_by_role("button", name="Cancel").click()
    expect(sheet).to_be_hidden()

    _go(page, f"/contacts/{visitor.contact_id}/edit", "Edit contact · Rapport")
    expect(page.get_by_label("Name", exact=True)).to_have_value(visitor.contact_name)
    problems += _check(page, axe_source, f"{label} edit contact")

    _go(page, "/contacts/new", "New contact · Rapport")
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    problems += _check(page, axe_source, f"{label} new contact")

    _go(page, "/settings", "Settings · Rapport")
    expect(page.get_by_role("heading", name="Reminder hours")).to_be_visible()
    problems += _check(page, axe_source, f"{label} Settings")

    _go(page, "/import", "Import contacts · Rapport")
    expect(page.get_by_role("button", name="Choose a file")).to_be_visible()
    problems += _check(page, axe_source, f"{label} Import")
    # The preview, with a select per column: nothing is imported until "Import".
    page.locator("input[type=file]").set_input_files(str(GOOGLE_CSV))
    expect(page.get_by_role("heading", name="Preview of google.csv")).to_be_visible()
    problems += _check(page, axe_source, f"{label} Import preview")

    problems += _invitation_pages(page, app_server, visitor, axe_source, label)

    if visitor.email == MANAGER:
        _go(page, "/team", "Team · Rapport")
        expect(page.get_by_role("heading", name="Reps")).to_be_visible()
        problems += _check(page, axe_source, f"{label} Team")
        problems += _rep_page(page, axe_source, label)
        _go(page, "/people", "People · Rapport")
        expect(page.locator("[data-person]").first).to_be_visible()
        problems += _check(page, axe_source, f"{label} People (read-only)")

    _go(page, "/no-such-page", "Page not found · Rapport")
    problems += _check(page, axe_source, f"{label} 404")
    return problems


def _rep_page(page: Page, axe_source: str, label: str) -> list[str]:
    """The rep's page, with a handover previewed (the preview and its button checked too)."""
    page.get_by_role("group", name=OTHER_REP_NAME).get_by_role("link").click()
    expect(page).to_have_title(f"{OTHER_REP_NAME} · Rapport")
    page.get_by_label("Hand over to").select_option(index=1)
    page.get_by_role("button", name="Preview handover").click()
    expect(page.get_by_role("button", name="Confirm handover")).to_be_visible()
    return _check(page, axe_source, f"{label} rep's page")


def _admin_pages(page: Page, app_server: RunningApp, axe_source: str, label: str) -> list[str]:
    """The pages only an admin reaches: People with its Teams, a person, the audit log."""
    problems: list[str] = []
    page.goto("/people")
    expect(page).to_have_title("People · Rapport")
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    expect(page.locator("[data-team]").first).to_be_visible()
    problems += _check(page, axe_source, f"{label} People")

    rep = next(
        person
        for person in app_server.api("GET", "/users", token=app_server.token(ADMIN)).json()["items"]
        if person["email"] == REP
    )
    _go(page, f"/people/{rep['id']}", f"{rep['name']} · Rapport")
    expect(page.get_by_role("button", name="Save role and team")).to_be_visible()
    problems += _check(page, axe_source, f"{label} person")

    _go(page, "/audit", "Audit log · Rapport")
    expect(page.locator("[data-audit-entry]").first).to_be_visible()
    problems += _check(page, axe_source, f"{label} audit log")

    _go(page, "/settings", "Settings · Rapport")
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    problems += _check(page, axe_source, f"{label} Settings")
    return problems


def _link_page(page: Page, app_server: RunningApp, axe_source: str, label: str) -> list[str]:
    """The page a one-time link opens, with its form (a reset link for a demo rep)."""
    rep = next(
        person
        for person in app_server.api("GET", "/users", token=app_server.token(ADMIN)).json()["items"]
        if person["email"] == REP
    )
    link = app_server.api("POST", f"/users/{rep['id']}/reset-link", token=app_server.token(ADMIN))
    page.goto(link.json()["path"])
    expect(page).to_have_title("Choose your password · Rapport")
    expect(page.get_by_label("Repeat the new password")).to_be_visible()
    return _check(page, axe_source, f"{label} set password")


@pytest.mark.parametrize("who", ["signed out", REP, MANAGER, ADMIN])
@pytest.mark.parametrize("device", ["Pixel 7", "360 px", "1280 px"])
def test_no_serious_accessibility_failure_when_any_page_is_checked(
    browser: Browser,
    playwright: Playwright,
    app_server: RunningApp,
    axe_source: str,
    device: str,
    who: str,
) -> None:
    look: dict[str, Any] = (
        dict(DESKTOP) if device == "1280 px" else dict(playwright.devices["Pixel 7"])
    )
    if device == "360 px":
        look["viewport"] = NARROW
    signed_in = who != "signed out"
    context = browser.new_context(
        **look,
        base_url=app_server.url,
        storage_state=_signed_in_storage(app_server, who) if signed_in else None,
    )
    page = context.new_page()
    label = f"{device}, {who}:"
    if who == ADMIN:
        problems = _admin_pages(page, app_server, axe_source, label)
    elif signed_in:
        problems = _signed_in_pages(page, app_server, _visitor(app_server, who), axe_source, label)
    else:
        page.goto("/signin")
        expect(page).to_have_title("Sign in · Rapport")
        problems = _check(page, axe_source, f"{label} sign-in")
        # Refused: the same page with its alert, in red. An address no one has, so no
        # brake slows the demo rep's later sign-ins.
        page.get_by_label("Email").fill("nobody@example.com")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
        problems += _check(page, axe_source, f"{label} sign-in refused")
        # Typed into the address bar: the server's own answer, not the app's router.
        page.goto("/no-such-page")
        expect(page).to_have_title("Page not found · Rapport")
        expect(page.get_by_role("link", name="Go to Today")).to_be_visible()
        problems += _check(page, axe_source, f"{label} 404")
        problems += _link_page(page, app_server, axe_source, label)
    context.close()

    assert problems == [], "\n".join(problems)


def test_sign_in_fields_say_what_the_browser_may_fill_in(page: Page) -> None:
    page.goto("/signin")
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "email")
    expect(page.get_by_label("Password")).to_have_attribute("autocomplete", "current-password")


def test_pages_below_the_navigation_lead_back_when_a_rep_opens_them(
    page: Page, app_server: RunningApp
) -> None:
    visitor = _visitor(app_server, REP)
    sign_in(page)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    page.goto(f"/contacts/{visitor.contact_id}/edit")
    back = page.get_by_role("link", name=re.compile("^Back"))
    # The edit page learns which contact it edits when it loads.
    expect(back).to_have_attribute("href", re.compile(f"/contacts/{visitor.contact_id}/?$"))
    back.click()
    expect(page).to_have_url(re.compile(f"/contacts/{visitor.contact_id}/?$"))
    # By its whole name: the edit page's own Back link may still be on screen for a moment.
    page.get_by_role("link", name="Back to contacts").click()
    expect(page).to_have_url(re.compile("/contacts/?$"))
    page.goto("/contacts/new")
    page.get_by_role("link", name="Back to contacts").click()
    expect(page).to_have_url(re.compile("/contacts/?$"))


# Body copy is 16 px or more; captions (Radix size 1: a date, who wrote a note) 14 px.
SMALL_TEXT_JS = """() => Array.from(document.querySelectorAll('main *'))
  .filter((el) => el.offsetParent && Array.from(el.childNodes)
    .some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
  .map((el) => [el, parseFloat(getComputedStyle(el).fontSize)])
  .filter(([el, size]) => size < 14 || (size < 16 && el.matches('p, li')
    && !el.matches('.rt-r-size-1')))
  .map(([el, size]) => `${el.textContent.trim().slice(0, 40)}: ${size}px`)"""


def test_body_text_is_at_least_16_px_when_a_rep_reads_today_and_a_card(
    page: Page, app_server: RunningApp
) -> None:
    visitor = _visitor(app_server, REP)
    sign_in(page)
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    small = page.evaluate(SMALL_TEXT_JS)
    page.goto(f"/contacts/{visitor.contact_id}")
    expect(page.get_by_role("heading", name=visitor.contact_name, level=1)).to_be_visible()
    expect(page.locator("main li").first).to_be_visible()
    small += page.evaluate(SMALL_TEXT_JS)
    assert small == []
