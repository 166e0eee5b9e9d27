"""What a valid contact, complaint and opportunity look like: enumerations and limits.

Each `clean_*` function returns the value as it is stored (trimmed) or raises
`RuleError` naming the field and saying, in words a rep can act on, what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

# Re-exported: the tiers are the health model's, and the services catch the
# error of the rules they call.
from crm_pwa.domain.health import TIERS as TIERS
from crm_pwa.domain.input_rules import check_text
from crm_pwa.domain.rules import RuleError as RuleError
from crm_pwa.domain.rules import one_of

KINDS = ("customer", "prospect", "partner", "supplier", "staff", "other")
BANDS = ("strong", "watch", "at_risk", "new")
STAGES = ("lead", "qualified", "proposal", "won", "lost")

MAX_NAME = 200
MAX_SHORT_TEXT = 200
MAX_ADDRESS = 1_000
MAX_NOTES = 10_000
MAX_EMAIL = 320
MAX_TAGS = 20
MAX_TAG = 40
MIN_RHYTHM_DAYS = 1
MAX_RHYTHM_DAYS = 365
MAX_TITLE = 300
MAX_AMOUNT = Decimal("999999999999.99")

# Deliberately loose: one @, something on each side, a dot in the domain, no
# spaces. Whether the mailbox exists is for the mail server to say.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clean_kind(kind: str) -> str:
    return one_of("kind", kind, KINDS, label="Kind")


def clean_tier(tier: str) -> str:
    return one_of("tier", tier, TIERS, label="Tier")


def clean_band(band: str) -> str:
    return one_of("band", band, BANDS, label="Band")


def clean_stage(stage: str) -> str:
    return one_of("stage", stage, STAGES, label="Stage")


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _too_long(field: str, limit: int) -> RuleError:
    return RuleError(field, f"{_label(field)} can be at most {limit:,} characters.")


def clean_required(field: str, text: str, limit: int) -> str:
    """A text that must say something, like a name or a complaint's summary."""
    value = check_text(field, text).strip()
    if not value:
        raise RuleError(field, f"Enter a {field.replace('_', ' ')}.")
    if len(value) > limit:
        raise _too_long(field, limit)
    return value


def clean_name(name: str) -> str:
    return clean_required("name", name, MAX_NAME)


def clean_text(field: str, text: str, limit: int) -> str:
    value = check_text(field, text).strip()
    if len(value) > limit:
        raise _too_long(field, limit)
    return value


def clean_notes(field: str, text: str) -> str:
    return clean_text(field, text, MAX_NOTES)


def clean_email(email: str) -> str:
    value = check_text("email", email).strip()
    if not value:
        return ""
    if len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value):
        raise RuleError("email", f"'{value[:60]}' is not an email address.")
    return value


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Trimmed, blank ones dropped, duplicates (ignoring case) kept once, in order."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        value = check_text("tags", tag).strip()
        if not value or value.casefold() in seen:
            continue
        if len(value) > MAX_TAG:
            raise RuleError("tags", f"Tag '{value[:20]}…' is over {MAX_TAG} characters long.")
        seen.add(value.casefold())
        cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        raise RuleError("tags", f"A contact can have at most {MAX_TAGS} tags.")
    return cleaned


def clean_rhythm_days(days: int | None) -> int | None:
    """None keeps the tier's rhythm; a number of days overrides it."""
    if days is None:
        return None
    if not MIN_RHYTHM_DAYS <= days <= MAX_RHYTHM_DAYS:
        raise RuleError(
            "rhythm_days",
            f"Rhythm must be between {MIN_RHYTHM_DAYS} and {MAX_RHYTHM_DAYS} days.",
        )
    return days


def clean_amount(amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    try:
        rounded = amount.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise RuleError("amount", "The amount is not a number.") from error
    if not rounded.is_finite() or rounded < 0 or rounded > MAX_AMOUNT:
        raise RuleError("amount", f"The amount must be between 0 and {MAX_AMOUNT:,}.")
    return rounded
