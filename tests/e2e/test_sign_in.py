"""Signing in and out on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import MANAGER, RunningApp, sign_in


def test_rep_sees_today_when_signing_in_with_the_demo_password(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_text("Riley Chen")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_wrong_password_shows_an_error_and_keeps_no_session(page: Page) -> None:
    sign_in(page, password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    assert page.evaluate("localStorage.getItem('rapport_token') || ''") == ""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin/?$"))


def test_signed_out_visit_lands_on_sign_in_when_opening_any_page(page: Page) -> None:
    for path in ("/", "/contacts", "/team", "/settings"):
        page.goto(path)
        # The page asked for rides along, so sign-in can come back to it.
        back = "" if path == "/" else r"\?next=" + re.escape(path.replace("/", "%2F"))
        expect(page).to_have_url(re.compile(r"/signin" + back + "$"))
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_rep_gets_not_allowed_when_opening_the_team_page(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    page.goto("/team")
    expect(page.get_by_role("alert")).to_contain_text("Not allowed")


def test_manager_sees_the_team_link_when_signed_in(page: Page) -> None:
    sign_in(page, email=MANAGER)
    expect(page.get_by_role("link", name="Team")).to_be_visible()


def test_sign_out_ends_the_session_when_tapped_in_settings(
    page: Page, app_server: RunningApp
) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    token = page.evaluate("localStorage.getItem('rapport_token')")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    assert app_server.api("GET", "/me", token=token).status_code == 401
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin/?$"))


def test_forgot_password_says_to_ask_the_admin_for_a_link_when_tapped(page: Page) -> None:
    page.goto("/signin")
    answer = page.get_by_text("Ask your admin for a password reset link")
    expect(answer).to_be_hidden()
    page.get_by_text("Forgot password?").click()
    expect(answer).to_be_visible()
