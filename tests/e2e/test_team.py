"""The manager's Team page on a phone and on a laptop, over the demo data."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import MANAGER, RunningApp, sign_in

REPS = ("Alex Novak", "Riley Chen", "Sam Okafor")
TREND = re.compile(r"Trend (up|down|steady)")
# One relationship at risk for each reason the demo tells a story about.
STORIES = (
    re.compile(r"No contact for \d+ days; expected every 7"),
    re.compile(r"\d+ follow-ups overdue"),
    re.compile(r"Complaint open for \d+ days"),
    re.compile(r"Contacted \d+ times in the 360 days up to the last contact; expected about 4"),
)


def _open_team(page: Page) -> None:
    sign_in(page, email=MANAGER)
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Team score")).to_be_visible()


def test_manager_reads_the_team_and_opens_an_at_risk_relationship_when_on_a_phone(
    page: Page,
) -> None:
    _open_team(page)

    for name in REPS:
        card = page.get_by_role("group", name=name)
        expect(card).to_be_visible()
        health = re.compile(r"^Health: (Strong|Watch|At risk) \d+$")
        expect(card.get_by_role("img", name=health)).to_be_visible()
        expect(card).to_contain_text(TREND)
        expect(card).to_contain_text("overdue follow-ups")
    expect(page.get_by_role("img", name=re.compile("^Line chart"))).to_be_visible()
    expect(page.locator("[data-team-chart] .recharts-line")).to_have_count(len(REPS) + 1)
    page.get_by_text("Show the scores as a table").click()
    expect(page.get_by_role("columnheader", name="Team")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(13)

    at_risk = page.get_by_role("list", name="Relationships at risk")
    for story in STORIES:
        expect(at_risk.get_by_text(story).first).to_be_visible()
    promises = at_risk.get_by_role("listitem").filter(
        has_text=re.compile(r"\d+ follow-ups overdue")
    )
    name = promises.first.get_by_role("link").inner_text().splitlines()[0]
    promises.first.get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"/contacts/[0-9a-f-]{36}/?$"))
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ follow-ups overdue")).first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Health: At risk \d+$")).first).to_be_visible()


def test_manager_steps_back_a_week_and_nothing_spills_over_when_the_screen_is_360px(
    page: Page,
) -> None:
    _open_team(page)
    week = page.get_by_label("Week", exact=True)
    this_week = week.input_value()
    expect(page.get_by_role("button", name="Next week")).to_be_disabled()

    page.get_by_role("button", name="Previous week").click()

    expect(week).not_to_have_value(this_week)
    last_week = week.input_value()
    expect(page.get_by_role("group", name="Sam Okafor")).to_contain_text(TREND)
    week.select_option(this_week)
    expect(week).to_have_value(this_week)
    assert last_week < this_week
    page.set_viewport_size({"width": 360, "height": 780})
    expect(page.get_by_role("group", name="Riley Chen")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_manager_sees_reps_side_by_side_and_a_wide_chart_when_on_a_laptop(
    browser: Browser, app_server: RunningApp
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app_server.url)
    try:
        page = context.new_page()
        _open_team(page)
        boxes = [page.get_by_role("group", name=name).bounding_box() for name in REPS]
        chart = page.locator("[data-team-chart] .recharts-wrapper").bounding_box()

        assert all(box is not None for box in boxes)
        assert len({round(box["y"]) for box in boxes if box}) == 1
        assert chart is not None and chart["width"] > 600
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()


def test_rep_is_refused_when_asking_the_api_for_team_health(app_server: RunningApp) -> None:
    rep = app_server.api("GET", "/health/team", token=app_server.token())
    manager = app_server.api("GET", "/health/team", token=app_server.token(MANAGER))

    assert rep.status_code == 403
    assert manager.status_code == 200
    assert sorted(card["name"] for card in manager.json()["reps"]) == list(REPS)
