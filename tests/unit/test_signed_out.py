"""Which addresses the head script sends to sign-in when the phone holds no token."""

from __future__ import annotations

import re

from crm_pwa.components.signed_out import signed_in_pattern


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
