"""An import file: how big it may be, how its bytes become text, and which format it is.

Phones and mail clients write vCards; spreadsheets and old CRMs write CSV. Both
arrive as bytes in an encoding nobody names: UTF-8 (Google, phones; Excel adds
a byte-order mark), or Windows-1252 (Outlook on Windows). UTF-8 is tried first
because Windows-1252 text almost never happens to be valid UTF-8, while the
reverse decodes without error into mojibake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_IMPORT_BYTES = 20 * 1024 * 1024
TOO_LARGE = "The file is larger than 20 MB; split it into smaller files and import each."
NOT_CONTACTS = (
    "This file is neither a vCard (.vcf) nor a CSV with a header row; "
    "export your contacts as one of those and try again."
)
EMPTY = "The file is empty."

# Text files hold no NUL bytes; a few other control bytes are already suspicious.
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_VCARD_START = re.compile(r"^\s*BEGIN:VCARD\s*$", re.IGNORECASE | re.MULTILINE)


class ImportRefused(ValueError):
    """The whole file cannot be imported: nothing is, and the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportedContact:
    """One person as read from the file, before any check: `line` is where it starts."""

    line: int
    name: str = ""
    company: str = ""
    title: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class LineError:
    line: int
    error: str


@dataclass
class ReadFile:
    """What a file holds: people, lines that could not be read, and (CSV) its columns."""

    format: str
    encoding: str = ""
    contacts: list[ImportedContact] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    sample: list[list[str]] = field(default_factory=list)


def check_size(size: int) -> None:
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(TOO_LARGE)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of an import file; ImportRefused for binary or empty data."""
    check_size(len(data))
    if not data.strip():
        raise ImportRefused(EMPTY)
    if len(_CONTROL.findall(data[:65536])) > 0:
        raise ImportRefused(NOT_CONTACTS)
    if data.startswith(b"\xef\xbb\xbf"):
        return _utf8(data[3:]), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Five bytes are undefined in Windows-1252; Windows itself maps them to the
    # C1 controls, as latin-1 does, so no file is refused for holding one.
    return data.decode("latin-1").translate(_CP1252), "windows-1252"


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            "The file says it is UTF-8 but holds bytes that are not; save it again as UTF-8."
        ) from error


# Latin-1 and Windows-1252 differ only in 0x80-0x9F.
_CP1252 = {
    byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xA0)
}


def is_vcard(text: str) -> bool:
    return _VCARD_START.search(text[:65536]) is not None
