"""How contacts are found: the terms a contact is indexed under, and how a query reads.

The fields, their ranks, the letters folded and the scripts written without
spaces are data in assets/search.json, which assets/contactbook.js reads too:
offline search on the phone follows the same definition (docs/search.md).

Every word of a words field is a term; a query word matches a term it is a
prefix of. Scripts written without spaces between words (Chinese, Japanese,
Korean names, Thai) are indexed under every suffix of each run, as a phone
number is under every suffix of its digits, so any part a person types is a
prefix of some term: substring search through an ordinary index.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parents[2] / "assets" / "search.json"
_RULES = json.loads(RULES_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class SearchField:
    """A contact field that search reads: `kind` says how it becomes terms."""

    id: int
    key: str
    kind: str
    rank: int


FIELDS = tuple(
    SearchField(id=f["id"], key=f["key"], kind=f["kind"], rank=f["rank"]) for f in _RULES["fields"]
)
_BY_KEY = {field.key: field.id for field in FIELDS}
NAME, COMPANY, TITLE, EMAIL, TAG, PHONE, NOTES = (
    _BY_KEY[key]
    for key in ("name", "company", "title", "email", "tags", "phone_digits", "connection_notes")
)
# Lower is better: a hit on the name outranks one on the company, and so on.
FIELD_RANK = {field.id: field.rank for field in FIELDS}
# Fields from the best hit to the weakest; equal ranks keep the field's number order.
FIELD_ORDER = tuple(field.id for field in sorted(FIELDS, key=lambda f: (f.rank, f.id)))
MAX_TERM: int = _RULES["max_term"]
MAX_UNSPACED_TERM: int = _RULES["max_unspaced_term"]
MIN_PHONE_DIGITS: int = _RULES["min_phone_digits"]
MAX_QUERY_CHARS: int = _RULES["max_query_chars"]
MAX_QUERY_WORDS: int = _RULES["max_query_words"]

# Letters that Unicode does not decompose into a base letter and an accent, and
# apostrophes, which join a name ("O'Brien" is one word, found by "obrien").
_LETTERS = str.maketrans(_RULES["letters"])
_UNSPACED = tuple((int(r["from"], 16), int(r["to"], 16)) for r in _RULES["unspaced"])
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Compatibility forms split, lower case, marks dropped, the letters table applied.

    So 'Zoë' is found by 'zoe', 'Søren' by 'soren', 'ΟΔΌΣ' by 'οδοσ', full-width
    'ＡＢＣ' by 'abc'; NFC at the end puts Hangul syllables back together.
    """
    if text.isascii():
        return text.lower().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text).lower()
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def _unspaced(ch: str) -> bool:
    point = ord(ch)
    return any(low <= point <= high for low, high in _UNSPACED)


def tokens(text: str) -> list[tuple[str, bool]]:
    """The words of a text, folded: runs of letters and digits, each with whether
    it is a run of a script written without spaces (a letter of another script
    ends it, so 'Sony東京' is 'sony' and '東京')."""
    folded = fold(text)
    if folded.isascii():
        return [(word, False) for word in _ASCII_WORD.findall(folded)]
    found: list[tuple[str, bool]] = []
    run: list[str] = []
    run_unspaced = False
    for ch in folded:
        if unicodedata.category(ch)[0] in "LN":
            unspaced = _unspaced(ch)
            if run and unspaced != run_unspaced:
                found.append(("".join(run), run_unspaced))
                run = []
            run.append(ch)
            run_unspaced = unspaced
        elif run:
            found.append(("".join(run), run_unspaced))
            run = []
    if run:
        found.append(("".join(run), run_unspaced))
    return found


def words(text: str) -> list[str]:
    return [word for word, _ in tokens(text)]


def digits(text: str) -> str:
    """The decimal digits of a text as 0-9, whatever digits were typed ('٤١٥' is '415')."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if unicodedata.category(ch) == "Nd")


def _word_terms(text: str) -> Iterator[str]:
    for word, unspaced in tokens(text):
        if unspaced:
            yield from (word[start:][:MAX_UNSPACED_TERM] for start in range(len(word)))
        else:
            yield word[:MAX_TERM]


def contact_terms(contact: Mapping[str, object]) -> set[tuple[int, str]]:
    """(field, term) pairs of a contact given as field key -> value (tags a list)."""
    terms: set[tuple[int, str]] = set()
    for field in FIELDS:
        value = contact.get(field.key) or ""
        texts = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        for text in texts:
            if field.kind == "digits":
                last_start = len(text) - MIN_PHONE_DIGITS + 1
                terms.update((field.id, text[start:][:MAX_TERM]) for start in range(last_start))
                continue
            if field.kind == "email" and text.strip():
                terms.add((field.id, fold(text.strip())[:MAX_TERM]))
            terms.update((field.id, term) for term in _word_terms(text))
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
    text = text.strip()[:MAX_QUERY_CHARS]
    if not any(ch.isalpha() for ch in text):
        run = digits(text)
        if len(run) >= MIN_PHONE_DIGITS:
            return Query(words=(), phone=run)
    return Query(
        words=tuple(
            word[:MAX_UNSPACED_TERM] if unspaced else word[:MAX_TERM]
            for word, unspaced in tokens(text)[:MAX_QUERY_WORDS]
        ),
        phone=None,
    )


def lead_first(query: Query) -> list[str]:
    """The words to match, the longest (the one that places a contact) first; ties
    keep the typed order."""
    found = [query.phone] if query.phone else list(query.words)
    return sorted(found, key=len, reverse=True)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    point = ord(prefix[-1]) + 1
    # Surrogates cannot be stored; the next string after the last one below them
    # begins past them.
    if 0xD800 <= point <= 0xDFFF:
        point = 0xE000
    return prefix[:-1] + chr(point)
