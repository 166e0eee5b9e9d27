"""Which part of a book is handed over: the filter's rules, free of the database."""

from __future__ import annotations

from dataclasses import dataclass

from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.rules import RuleError


@dataclass(frozen=True, slots=True)
class BookFilter:
    """A subset of one person's contacts; every field None means the whole book.

    `tag` and `company` match whole values, ignoring case and outer spaces:
    "ACME " picks Acme's contacts, not Acme Rockets'.
    """

    tier: str | None = None
    kind: str | None = None
    tag: str | None = None
    company: str | None = None

    @property
    def whole_book(self) -> bool:
        return self.tier is None and self.kind is None and self.tag is None and self.company is None

    def named(self) -> list[str]:
        """The fields in use, by name only: what the audit trail may say of the filter."""
        return [name for name in ("tier", "kind", "tag", "company") if getattr(self, name)]


def _matched_text(field: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    cleaned = rules.clean_text(field, value, limit).lower()
    if not cleaned:
        raise RuleError(field, f"Give a {field} to hand over, or leave it out.")
    return cleaned


def clean_book_filter(
    *, tier: str | None, kind: str | None, tag: str | None, company: str | None
) -> BookFilter:
    return BookFilter(
        tier=None if tier is None else rules.clean_tier(tier),
        kind=None if kind is None else rules.clean_kind(kind),
        tag=_matched_text("tag", tag, rules.MAX_TAG),
        company=_matched_text("company", company, rules.MAX_NAME),
    )


def check_receiver(*, giver_id: object, receiver_id: object, receiver_active: bool) -> None:
    """A book goes to someone else who can work it."""
    if giver_id == receiver_id:
        raise RuleError("to", "Hand the book to someone else: giver and receiver are the same.")
    if not receiver_active:
        raise RuleError("to", "That person is deactivated: hand the book to an active colleague.")
