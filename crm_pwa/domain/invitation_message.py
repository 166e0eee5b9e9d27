"""An invitation's words: what may be written, and how each guest's copy is filled in.

The message may name `{first_name}`, `{company}` and `{rep_name}`; anything else
in braces is refused when the invitation is written, so a typo ("{firstname}")
is caught before two thousand people read it. Braces are not format strings:
a guest's own name containing braces is put in as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from crm_pwa.domain.input_rules import check_text
from crm_pwa.domain.rules import RuleError, one_of

KINDS = ("event", "campaign")
PLACEHOLDERS = ("first_name", "company", "rep_name")
MAX_TITLE_CHARS = 200
MAX_MESSAGE_CHARS = 10_000
MAX_PLACE_CHARS = 300

_BRACED = re.compile(r"\{([^{}]*)\}")


def check_kind(value: str) -> str:
    return one_of("kind", value, KINDS)


def clean_title(value: str) -> str:
    title = check_text("title", value).strip()
    if not title:
        raise RuleError("title", "Give the invitation a title.")
    if len(title) > MAX_TITLE_CHARS:
        raise RuleError("title", f"Keep the title to {MAX_TITLE_CHARS} characters.")
    return title


def clean_message(value: str) -> str:
    message = check_text("message", value).strip()
    if not message:
        raise RuleError("message", "Write the message the guests will read.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise RuleError("message", f"Keep the message to {MAX_MESSAGE_CHARS:,} characters.")
    unknown = sorted({name for name in _BRACED.findall(message) if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        shown = ", ".join(f"{{{name}}}" for name in unknown)
        raise RuleError("message", f"Unknown placeholder {shown}; use {allowed}.")
    return message


def clean_place(value: str) -> str:
    place = check_text("place", value).strip()
    if len(place) > MAX_PLACE_CHARS:
        raise RuleError("place", f"Keep the place to {MAX_PLACE_CHARS} characters.")
    return place


def check_event(kind: str, starts_at: datetime | None) -> None:
    """An event has a date and time; a campaign message has none."""
    if kind == "event" and starts_at is None:
        raise RuleError("starts_at", "An event needs a date and time.")
    if kind == "campaign" and starts_at is not None:
        raise RuleError("starts_at", "A campaign message has no date; choose kind 'event'.")
    if starts_at is not None and starts_at.tzinfo is None:
        raise RuleError("starts_at", "Give starts_at with a time zone offset.")


def first_name(name: str) -> str:
    """The first word of a contact's name: the name a message greets them by."""
    words = name.split()
    return words[0] if words else name


@dataclass(frozen=True, slots=True)
class Guest:
    name: str
    company: str


def fill_message(message: str, guest: Guest, rep_name: str) -> str:
    """The guest's copy of the message, placeholders filled in."""
    values = {
        "first_name": first_name(guest.name),
        "company": guest.company,
        "rep_name": rep_name,
    }
    return _BRACED.sub(lambda match: values.get(match.group(1), match.group(0)), message)


GUEST_STATUSES = ("invited", "accepted", "declined", "attended")
# Attended is final: it logged a meeting, which a status change would not take back.
_MOVES: dict[str, frozenset[str]] = {
    "invited": frozenset({"invited", "accepted", "declined", "attended"}),
    "accepted": frozenset({"invited", "accepted", "declined", "attended"}),
    "declined": frozenset({"invited", "accepted", "declined", "attended"}),
    "attended": frozenset({"attended"}),
}


def check_guest_move(old: str, new: str) -> str:
    """The guest's new status, if a guest in `old` may move to it."""
    one_of("status", new, GUEST_STATUSES)
    if old == "excluded":
        raise RuleError("status", "This person was not invited; include them before sending.")
    if new not in _MOVES.get(old, frozenset()):
        raise RuleError("status", "Attendance is logged as a meeting and cannot be undone here.")
    return new
