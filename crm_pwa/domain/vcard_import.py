"""Reading vCards (2.1, 3.0, 4.0) as phones and mail clients export them, through vobject.

The file is first cut into cards at BEGIN:VCARD / END:VCARD, so a card that
cannot be read is reported on its own line and the others still come in, and a
card cut off by a truncated download is named instead of swallowing the rest.

vobject reads folded lines, groups (`item1.EMAIL`), parameters and the
quoted-printable values of vCard 2.1 with their CHARSET. What it does not do is
join a quoted-printable value broken over lines with a trailing `=` (a soft line
break, as Android writes long names and notes), so those lines are joined here
before vobject sees the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import vobject
from vobject.base import VObjectError

from crm_pwa.domain.import_file import ImportedContact, LineError, ReadFile

_BEGIN = re.compile(r"^\s*BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END:VCARD\s*$", re.IGNORECASE)
_QUOTED_PRINTABLE = re.compile(r"^[^:]*QUOTED-PRINTABLE[^:]*:", re.IGNORECASE)
CUT_OFF = "This card is cut off (no END:VCARD); the file looks truncated."
NO_NAME = "This card has no name (FN or N)."
UNREADABLE = "This card cannot be read: {reason}"


def read_vcards(text: str) -> ReadFile:
    read = ReadFile(format="vcard")
    for line, card_lines, complete in _cards(text.splitlines()):
        if not complete:
            read.errors.append(LineError(line, CUT_OFF))
            continue
        try:
            card = vobject.readOne("\r\n".join(_join_soft_breaks(card_lines)) + "\r\n")
            contact = _contact(line, card)
        except (VObjectError, ValueError, AttributeError, IndexError, TypeError) as error:
            # vobject raises ParseError for bad syntax and plain Python errors
            # for values it cannot decode (a bad base64 or quoted-printable run).
            read.errors.append(LineError(line, UNREADABLE.format(reason=_reason(error))))
            continue
        if not contact.name:
            read.errors.append(LineError(line, NO_NAME))
            continue
        read.contacts.append(contact)
    return read


def _reason(error: Exception) -> str:
    text = str(error).strip() or error.__class__.__name__
    return text[:200]


def _cards(lines: list[str]) -> Iterator[tuple[int, list[str], bool]]:
    """(first line number, the card's lines, whether it ended) for each card in the file."""
    start = 0
    current: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if _BEGIN.match(line):
            if current is not None:
                yield start, current, False
            start, current = number, [line]
        elif current is not None:
            current.append(line)
            if _END.match(line):
                yield start, current, True
                current = None
    if current is not None:
        yield start, current, False


def _join_soft_breaks(lines: list[str]) -> list[str]:
    joined: list[str] = []
    continuing = False
    for line in lines:
        if continuing:
            joined[-1] = joined[-1][:-1] + line
        else:
            joined.append(line)
        continuing = bool(_QUOTED_PRINTABLE.match(joined[-1])) and joined[-1].endswith("=")
    return joined


def _contact(line: int, card: Any) -> ImportedContact:
    return ImportedContact(
        line=line,
        name=_name(card),
        company=_company(card),
        title=_first_text(card, "title"),
        emails=tuple(_values(card, "email")),
        phones=tuple(_values(card, "tel")),
        address=_address(card),
        tags=tuple(_categories(card)),
        notes=_first_text(card, "note"),
    )


def _lines(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name, []))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(part) for part in value if _text(part))
    return str(value).strip() if isinstance(value, str) else ""


def _first_text(card: Any, name: str) -> str:
    for line in _lines(card, name):
        text = _text(line.value)
        if text:
            return text.replace("\r\n", "\n")
    return ""


def _name(card: Any) -> str:
    formatted = _first_text(card, "fn")
    if formatted:
        return formatted
    for line in _lines(card, "n"):
        name = line.value
        parts = [name.prefix, name.given, name.additional, name.family, name.suffix]
        text = " ".join(_text(part) for part in parts if _text(part))
        if text:
            return text
    return ""


def _company(card: Any) -> str:
    for line in _lines(card, "org"):
        value = line.value
        units = value if isinstance(value, list) else [value]
        # ORG is "organisation;unit;unit": the company is the first part.
        text = _text(units[0]) if units else ""
        if text:
            return text
    return ""


def _preferred(line: Any) -> bool:
    types = [kind.lower() for kind in line.params.get("TYPE", [])]
    singles = [kind.lower() for kind in getattr(line, "singletonparams", [])]
    return "pref" in types or "pref" in singles or bool(line.params.get("PREF"))


def _values(card: Any, name: str) -> list[str]:
    """Every value of TEL or EMAIL, the preferred one first, each once."""
    lines = sorted(_lines(card, name), key=lambda line: not _preferred(line))
    values: list[str] = []
    for line in lines:
        text = _text(line.value)
        if text and text not in values:
            values.append(text)
    return values


def _address(card: Any) -> str:
    for line in _lines(card, "adr"):
        address = line.value
        street = _text(address.street)
        region = " ".join(part for part in (_text(address.region), _text(address.code)) if part)
        parts = [street, _text(address.city), region, _text(address.country)]
        text = ", ".join(part for part in parts if part)
        if text:
            return text
    return ""


def _categories(card: Any) -> list[str]:
    tags: list[str] = []
    for line in _lines(card, "categories"):
        value = line.value if isinstance(line.value, list) else [line.value]
        tags.extend(_text(tag) for tag in value if _text(tag))
    return tags
