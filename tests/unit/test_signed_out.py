"""Which addresses a browser holding no token is given the sign-in page for."""

from __future__ import annotations

import re

from crm_pwa.domain.sign_in_hint import HINT_COOKIE, signed_in_pattern, wants_sign_in


def test_pages_of_a_signed_in_rep_are_matched_when_opened_without_a_token() -> None:
    pattern = re.compile(signed_in_pattern())
    for path in (
        "/",
        "/contacts",
        "/contacts/42",
        "/contacts/42/edit",
        "/team/7",
        "/settings/",
        "/invitations",
        "/invitations/new",
        "/invitations/9",
    ):
        assert pattern.match(path), path


def test_open_pages_are_left_alone_when_a_visitor_has_no_token() -> None:
    pattern = re.compile(signed_in_pattern())
    for path in ("/signin", "/set-password/abc", "/no-such-page", "/contacts/42/x"):
        assert not pattern.match(path), path


def test_page_load_without_the_hint_gets_the_sign_in_page_when_it_is_a_signed_in_page() -> None:
    assert wants_sign_in("/", navigation=True, cookie_header="")
    assert wants_sign_in("/contacts/42", navigation=True, cookie_header="theme=dark")
    assert wants_sign_in("/", navigation=True, cookie_header=f"{HINT_COOKIE}=0")


def test_page_is_served_as_asked_when_hinted_or_not_a_page_load_or_open_to_all() -> None:
    assert not wants_sign_in("/", navigation=True, cookie_header=f"a=b; {HINT_COOKIE}=1")
    # The service worker's precache of `/` must get Today's shell, never the sign-in page.
    assert not wants_sign_in("/", navigation=False, cookie_header="")
    assert not wants_sign_in("/signin", navigation=True, cookie_header="")
    assert not wants_sign_in("/set-password/abc", navigation=True, cookie_header="")
    assert not wants_sign_in("/", navigation=True, cookie_header=f'bad"cookie; {HINT_COOKIE}=1')
