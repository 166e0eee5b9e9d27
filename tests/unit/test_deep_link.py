"""Sign-in sends a rep back to the page a link pointed to, and never off the site."""

from __future__ import annotations

import pytest

from crm_pwa.domain.deep_link import safe_next, sign_in_url


def test_contact_path_is_followed_when_a_reminder_pointed_there() -> None:
    assert safe_next("/contacts/42") == "/contacts/42"
    assert safe_next("/contacts?q=berg#top") == "/contacts?q=berg#top"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "contacts/42",
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/contacts/\n42",
        "/signin",
        "/signin/?next=/x",
        "/" + "a" * 3000,
    ],
)
def test_today_is_the_answer_when_the_target_is_not_a_page_of_this_app(
    target: str | None,
) -> None:
    assert safe_next(target) == "/"


def test_sign_in_url_carries_the_page_when_it_is_worth_coming_back_to() -> None:
    assert sign_in_url("/contacts/42?tab=notes") == "/signin?next=%2Fcontacts%2F42%3Ftab%3Dnotes"
    assert sign_in_url("/") == "/signin"
    assert sign_in_url("//evil.example") == "/signin"
