"""How contacts are found: the words a contact is indexed under, and how a query reads.

Every word of name, company, title, email and tags is a term; a query word
matches a term it is a prefix of. A phone number is indexed under every suffix
of its digits, so any run of digits typed ("555 0100", "4155550100") is a
prefix of some suffix: substring search through an ordinary index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAME, COMPANY, TITLE, EMAIL, TAG, PHONE = range(6)
# Lower is better: a hit on the name outranks one on the company, and so on.
FIELD_RANK = {NAME: 0, COMPANY: 1, TITLE: 2, EMAIL: 3, TAG: 2, PHONE: 1}
MAX_TERM = 64
MIN_PHONE_DIGITS = 3
MAX_QUERY_WORDS = 5

_WORD = re.compile(r"[a-z0-9]+")


# Letters that Unicode does not decompose into a base letter and an accent, and
# apostrophes, which join a name ("O'Brien" is one word, found by "obrien").
# assets/contactbook.js folds the same way, so offline search matches online.
_UNDECOMPOSED = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "'": None,
        "’": None,
    }
)


def fold(text: str) -> str:
    """Lower case without accents, so 'Zoë' is found by 'zoe' and 'Søren' by 'soren'."""
    decomposed = unicodedata.normalize("NFKD", text.lower()).translate(_UNDECOMPOSED)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def contact_terms(
    *, name: str, company: str, title: str, email: str, tags: list[str], phone_digits: str
) -> set[tuple[int, str]]:
    terms: set[tuple[int, str]] = set()
    for field, text in ((NAME, name), (COMPANY, company), (TITLE, title)):
        terms.update((field, word[:MAX_TERM]) for word in words(text))
    if email:
        address = fold(email.strip())
        terms.add((EMAIL, address[:MAX_TERM]))
        terms.update((EMAIL, word[:MAX_TERM]) for word in words(address))
    for tag in tags:
        terms.update((TAG, word[:MAX_TERM]) for word in words(tag))
    for start in range(0, max(0, len(phone_digits) - MIN_PHONE_DIGITS + 1)):
        terms.add((PHONE, phone_digits[start:][:MAX_TERM]))
    return terms


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: all words must match (AND); phone is a digit run, or None."""

    words: tuple[str, ...]
    phone: str | None

    @property
    def empty(self) -> bool:
        return not self.words and not self.phone


def parse_query(text: str) -> Query:
    text = text.strip()[:200]
    if not any(ch.isalpha() for ch in text):
        run = digits(text)
        if len(run) >= MIN_PHONE_DIGITS:
            return Query(words=(), phone=run)
    return Query(words=tuple(words(text)[:MAX_QUERY_WORDS]), phone=None)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
