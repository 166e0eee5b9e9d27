"""Reading contacts from a CSV with a header row: which column holds what, and each row.

The columns are recognised by their headers, in the spellings of the files reps
bring: Google Contacts (`Name`, `E-mail 1 - Value`, `Phone 1 - Value`,
`Organization 1 - Name`, `Group Membership`/`Labels`), Outlook (`First Name`,
`Last Name`, `Company`, `Job Title`, `E-mail Address`, `Mobile Phone`,
`Business Street`, `Categories`) and a plain `name, company, email, phone,
tags` file. The guess is shown on the preview and the rep may change it; the
mapping sent back replaces the guess.

Google writes several values in one cell joined by ` ::: ` (two numbers in
`Phone 1 - Value`), and its own system groups as `* myContacts`, which are not
the rep's tags.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from crm_pwa.domain.import_file import ImportedContact, ImportRefused, LineError, ReadFile
from crm_pwa.domain.spreadsheet import unescape_cell

# What a column can feed; "" ignores it.
FIELDS: dict[str, str] = {
    "name": "Name",
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "company": "Company",
    "title": "Job title",
    "email": "E-mail",
    "phone": "Phone",
    "address": "Address",
    "tags": "Tags",
    "notes": "Notes",
    "": "Ignore",
}
SAMPLE_ROWS = 5
NO_NAME_COLUMN = (
    "No column holds the name (looked for Name, Full name, First name, Last name); "
    "choose the name column on the preview."
)
NO_NAME = "This line has no name."
SHORT_ROW = "This line has more cells than the header has columns."

_KNOWN: dict[str, str] = {
    **dict.fromkeys(("name", "full name", "display name", "contact name", "contact"), "name"),
    **dict.fromkeys(("first name", "given name", "first", "firstname"), "first_name"),
    **dict.fromkeys(("middle name", "additional name"), "middle_name"),
    **dict.fromkeys(("last name", "family name", "surname", "last", "lastname"), "last_name"),
    **dict.fromkeys(
        (
            "company",
            "organization",
            "organisation",
            "organization name",
            "organization 1 - name",
            "account name",
        ),
        "company",
    ),
    **dict.fromkeys(
        ("job title", "organization title", "organization 1 - title", "position", "role"),
        "title",
    ),
    **dict.fromkeys(
        ("email", "e-mail", "email address", "e-mail address", "mail", "work email"), "email"
    ),
    **dict.fromkeys(
        (
            "phone",
            "telephone",
            "phone number",
            "mobile",
            "mobile phone",
            "cell",
            "business phone",
            "business phone 2",
            "home phone",
            "home phone 2",
            "primary phone",
            "company main phone",
            "other phone",
            "work phone",
        ),
        "phone",
    ),
    **dict.fromkeys(
        (
            "address",
            "business street",
            "business city",
            "business state",
            "business postal code",
            "business country/region",
        ),
        "address",
    ),
    **dict.fromkeys(("tags", "labels", "categories", "group membership"), "tags"),
    **dict.fromkeys(("notes", "note", "connection notes"), "notes"),
}
_NUMBERED = (
    (re.compile(r"e-?mail \d+ address|e-?mail \d+ - value"), "email"),
    (re.compile(r"phone \d+ - value"), "phone"),
    (re.compile(r"address \d+ - formatted"), "address"),
)
_MANY = " ::: "
_TAG_SEPARATORS = re.compile(r" ::: |[;,]")


def _header_key(header: str) -> str:
    return " ".join(header.strip().lower().split())


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Each column's field by its header; columns nobody recognises are ignored ("")."""
    keys = [_header_key(column) for column in columns]
    mapping: dict[str, str] = {}
    for column, key in zip(columns, keys, strict=True):
        field = _KNOWN.get(key, "")
        for pattern, numbered in _NUMBERED:
            if pattern.fullmatch(key):
                field = numbered
        # Outlook's "Title" is Mr/Ms beside its "Job Title"; alone, it is the job.
        if key == "title" and "job title" not in keys:
            field = "title"
        mapping[column] = field
    return mapping


def _checked_mapping(columns: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = [column for column in mapping if column not in columns]
    if unknown:
        raise ImportRefused(f"The file has no column named '{unknown[0][:60]}'.")
    bad = [field for field in mapping.values() if field not in FIELDS]
    if bad:
        raise ImportRefused(
            f"'{bad[0][:40]}' is not a contact field; use one of "
            f"{', '.join(field for field in FIELDS if field)}."
        )
    return {column: mapping.get(column, "") for column in columns}


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        # Too little to go on (one column, a single line): the usual comma.
        return csv.excel


def read_csv(text: str, mapping: Mapping[str, str] | None = None) -> ReadFile:
    rows = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    read = ReadFile(format="csv")
    try:
        header = next(rows, None)
        if header is None:
            raise ImportRefused("The file is empty.")
        read.columns = [column.strip() for column in header]
        read.mapping = (
            guess_mapping(read.columns)
            if mapping is None
            else _checked_mapping(read.columns, mapping)
        )
        fields = [read.mapping[column] for column in read.columns]
        if "name" not in fields and not {"first_name", "last_name"} & set(fields):
            read.errors.append(LineError(1, NO_NAME_COLUMN))
            fields = []
        line = rows.line_num + 1
        for row in rows:
            if len(read.sample) < SAMPLE_ROWS:
                read.sample.append(row)
            if fields and any(cell.strip() for cell in row):
                _read_row(read, line, fields, row)
            line = rows.line_num + 1
    except csv.Error as error:
        read.errors.append(LineError(rows.line_num, f"This line cannot be read: {error}."))
    return read


def _read_row(read: ReadFile, line: int, fields: list[str], row: list[str]) -> None:
    if len(row) > len(fields):
        read.errors.append(LineError(line, SHORT_ROW))
        return
    values: dict[str, list[str]] = {}
    for field, cell in zip(fields, row, strict=False):
        # A cell Rapport's own export escaped against spreadsheet formulas comes back as typed.
        value = unescape_cell(cell.strip())
        if field and value:
            values.setdefault(field, []).append(value)
    name = " ".join(values.get("name", [])) or " ".join(
        " ".join(values.get(part, []))
        for part in ("first_name", "middle_name", "last_name")
        if values.get(part)
    )
    if not name:
        read.errors.append(LineError(line, NO_NAME))
        return
    read.contacts.append(
        ImportedContact(
            line=line,
            name=name,
            company=" ".join(values.get("company", [])),
            title=" ".join(values.get("title", [])),
            emails=_split(values.get("email", [])),
            phones=_split(values.get("phone", [])),
            address=", ".join(values.get("address", [])),
            tags=_tags(values.get("tags", [])),
            notes="\n".join(values.get("notes", [])),
        )
    )


def _split(cells: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for cell in cells:
        for value in cell.split(_MANY):
            if value.strip() and value.strip() not in found:
                found.append(value.strip())
    return tuple(found)


def _tags(cells: list[str]) -> tuple[str, ...]:
    tags = [tag.strip() for cell in cells for tag in _TAG_SEPARATORS.split(cell)]
    return tuple(tag for tag in tags if tag and not tag.startswith("*"))
