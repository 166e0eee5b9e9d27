"""A rep's zone comes from the phone; Settings offers the phone's zone and lists cities."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import RunningApp, sign_in

# Alex Novak, a demo rep no other browser test signs in as: the zone is still unset.
NEW_REP = "alex@example.com"


@contextmanager
def phone_in(
    browser: Browser, playwright: Playwright, app_server: RunningApp, zone: str
) -> Iterator[Page]:
    context = browser.new_context(
        **playwright.devices["Pixel 7"], base_url=app_server.url, timezone_id=zone
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def test_zone_comes_from_the_phone_and_settings_offers_another_phones_zone(
    browser: Browser, playwright: Playwright, app_server: RunningApp
) -> None:
    with phone_in(browser, playwright, app_server, "Asia/Kolkata") as page:
        sign_in(page, email=NEW_REP)
        expect(page.get_by_role("heading", name="Today")).to_be_visible()
        page.get_by_role("link", name="Settings").click()
        picker = page.get_by_label("Time zone")
        expect(picker).to_have_value("Asia/Kolkata")
        # Same zone as the phone: nothing to offer.
        expect(page.get_by_role("button", name="Use this phone's zone")).to_have_count(0)
        # Cities by region with their offset; no names nobody lives in.
        expect(
            picker.locator("optgroup[label='America'] option[value='America/Los_Angeles']")
        ).to_have_count(1)
        assert picker.locator("option[value='America/Los_Angeles']").inner_text() == (
            "Los Angeles (UTC−08:00)"
        )
        for name in ("Factory", "localtime", "Etc/GMT+5"):
            expect(picker.locator(f"option[value='{name}']")).to_have_count(0)

    with phone_in(browser, playwright, app_server, "America/Los_Angeles") as page:
        sign_in(page, email=NEW_REP)
        expect(page.get_by_role("heading", name="Today")).to_be_visible()
        page.get_by_role("link", name="Settings").click()
        # A zone once set is not moved by signing in elsewhere: it is offered instead.
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Kolkata")
        offer = page.get_by_role("note").filter(has_text="This phone is set to")
        expect(offer).to_contain_text("Los Angeles (UTC−08:00)")
        page.get_by_role("button", name="Use this phone's zone").click()
        expect(page.get_by_role("status")).to_contain_text("time zone saved")
        expect(page.get_by_label("Time zone")).to_have_value("America/Los_Angeles")
        expect(page.get_by_role("button", name="Use this phone's zone")).to_have_count(0)
