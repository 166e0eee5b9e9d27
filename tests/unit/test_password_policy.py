"""One password rule for the CLI, the API and the pages: long, and not on guessing lists."""

from __future__ import annotations

import pytest

from crm_pwa.domain.password_policy import common_passwords, password_problem


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "short",
        "elevenchars",
        "123456789012",
        "password1234",
        "Password1234!",
        "!!welcome2026",
        "qwertyuiop12",
        "passwordpassword",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "iloveyou12345",
    ],
)
def test_password_is_refused_when_short_or_common(password: str) -> None:
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password",
    [
        "rapport-demo",
        "correct horse battery",
        "a long secret",
        "Tangerine-Kettle-42",
        "ß∂ƒ©˙∆˚¬…æœ∑",
    ],
)
def test_password_is_accepted_when_long_and_uncommon(password: str) -> None:
    assert password_problem(password) is None


def test_password_problem_says_the_minimum_when_too_short() -> None:
    assert password_problem("12345678") == "Password must be at least 12 characters."


def test_common_password_list_ships_with_the_package_when_installed() -> None:
    assert {"password", "qwertyuiop", "iloveyou"} <= common_passwords()
    assert len(common_passwords()) > 200
