"""Which reader a file goes to: a vCard is recognised by its BEGIN:VCARD, anything else
is read as a CSV with a header row."""

from __future__ import annotations

from collections.abc import Mapping

from crm_pwa.domain.csv_import import read_csv
from crm_pwa.domain.import_file import ReadFile, decode, is_vcard
from crm_pwa.domain.vcard_import import read_vcards


def read_import(data: bytes, mapping: Mapping[str, str] | None = None) -> ReadFile:
    """Everything the file holds; ImportRefused when it is not a contacts file at all."""
    text, encoding = decode(data)
    read = read_vcards(text) if is_vcard(text) else read_csv(text, mapping)
    read.encoding = encoding
    return read
