"""Reading a number the way a rep types it: "12,500", "12 500", "€12,500.50", "1.234,56".

One rule for every typed amount and count of days, so the contact form and the
opportunity forms agree:

- spaces (also the no-break and thin ones phones insert), apostrophes and a
  currency sign are ignored; digits of any script count ("١٢" is 12);
- with both "," and "." in the number, the last one is the decimal point and
  the other groups thousands ("1,234.56" and "1.234,56" are both 1234.56);
- with one kind only, several of them group thousands ("1,234,567", "1.234.567");
- a single "." is the decimal point ("12.5", the app's own placeholder "0.00");
- a single "," groups thousands when three digits follow it ("12,500" is
  12500), is the decimal point before one or two ("12,50" is 12.50), and is a
  mistake before more ("12,5000");
- thousands groups must be whole: "1,23,4" is refused rather than guessed.

Each function returns None for an empty field or raises `RuleError` naming the
field with a message in plain words; the typed text itself is never changed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from crm_pwa.domain.rules import RuleError

_IGNORED = {" ", "\u00a0", "\u2009", "\u202f", "'", "\u2019"}
_GROUPED = re.compile(r"\d{1,3}(?:\|\d{3})+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _plain(text: str) -> str:
    """The typed text with digits as 0-9 and nothing but digits, separators and a sign."""
    kept: list[str] = []
    for ch in text.strip():
        if ch in _IGNORED or unicodedata.category(ch) == "Sc":
            continue
        kept.append(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch)
    return "".join(kept)


def _split(number: str) -> tuple[str, str]:
    """(the whole part with "|" where thousands are grouped, the fraction)."""
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        point = max(number.rfind(","), number.rfind("."))
        group = "." if number[point] == "," else ","
        return number[:point].replace(group, "|"), number[point + 1 :]
    mark = "," if commas else "."
    count = commas or dots
    if count == 0:
        return number, ""
    if count > 1:
        return number.replace(mark, "|"), ""
    whole, fraction = number.split(mark)
    if mark == "," and len(fraction) >= 3:
        # Three digits or more after a lone comma: thousands, judged whole or not
        # ("12,5000" is refused rather than read as 12.5).
        return f"{whole}|{fraction}", ""
    return whole, fraction


def read_number(text: str, *, field: str, example: str) -> Decimal | None:
    """The number typed in `text`, or None when nothing was typed."""
    plain = _plain(text)
    if not plain:
        return None
    sign = "-" if plain.startswith("-") else ""
    whole, fraction = _split(plain.removeprefix("-"))
    if "|" in whole:
        if _GROUPED.fullmatch(whole) is None:
            raise RuleError(
                field, f"Thousands are grouped by three digits: write it like {example}."
            )
        whole = whole.replace("|", "")
    candidate = f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"
    if _NUMBER.fullmatch(candidate) is None:
        raise RuleError(field, f"Write a number in figures, like {example}.")
    return Decimal(candidate)


def read_amount(text: str, *, field: str = "amount") -> Decimal | None:
    """An amount of money as typed; its range is `contact_rules.clean_amount`'s to judge."""
    return read_number(text, field=field, example="12,500 or 12500.50")


def read_day_count(text: str, *, field: str = "rhythm_days") -> int | None:
    """A whole number of days as typed ("1,000" reads as 1000, "7.5" is refused)."""
    value = read_number(text, field=field, example="30")
    if value is None:
        return None
    if value != value.to_integral_value():
        raise RuleError(field, "Write a whole number of days, like 30.")
    return int(value)
