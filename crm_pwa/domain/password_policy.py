"""What makes a password acceptable: one rule for the CLI, the API and the pages.

Length is what resists guessing, so the floor is 12 characters; the list of
common passwords catches the long ones every guessing list tries first
("password1234", "qwertyuiop12"). A password is also refused when it is a
common word padded with digits or symbols, or only a few distinct characters.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_DISTINCT = 5
_PADDING = "0123456789!@#$%^&*()-_=+.,?~ "


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list: one lowercase password or word a line, '#' starts a comment."""
    text = files("crm_pwa.domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str) -> str | None:
    """Why the password is refused, in words a person can act on; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters."
    if len(set(password)) < MIN_DISTINCT:
        return "Password repeats too few characters; choose a longer mix."
    lowered = password.lower()
    core = lowered.strip(_PADDING)
    common = common_passwords()
    if lowered in common or core in common or _repeats_a_common_word(core, common):
        return "This password is on lists attackers try first; choose another."
    return None


def _repeats_a_common_word(core: str, common: frozenset[str]) -> bool:
    """'passwordpassword', 'qwertyqwerty': a common word said twice is still common."""
    for size in range(1, len(core) // 2 + 1):
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return core[:size] in common
    return False
