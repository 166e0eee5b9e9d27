"""A form post acts only when the browser says it comes from one of our own pages."""

from __future__ import annotations

import pytest

from crm_pwa.domain.same_site import from_own_page

HOST = "crm.example.com"


@pytest.mark.parametrize(
    ("fetch_site", "origin"),
    [
        ("same-origin", "https://crm.example.com"),
        ("none", None),
        (None, "https://crm.example.com"),
        (None, "https://CRM.example.com"),
        (None, None),
    ],
)
def test_post_from_our_page_or_a_plain_client_is_accepted(
    fetch_site: str | None, origin: str | None
) -> None:
    assert from_own_page(fetch_site, origin, HOST)


@pytest.mark.parametrize(
    ("fetch_site", "origin"),
    [
        ("cross-site", "https://evil.example"),
        ("same-site", "https://other.example.com"),
        ("cross-site", None),
        (None, "https://evil.example"),
        (None, "https://crm.example.com.evil.example"),
        (None, "null"),
    ],
)
def test_post_from_another_site_is_refused(fetch_site: str | None, origin: str | None) -> None:
    assert not from_own_page(fetch_site, origin, HOST)
