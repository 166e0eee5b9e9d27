"""A file chosen on the Import page, kept on the server between its preview and the import.

The page previews the file, lets the rep change the column mapping, and only
then imports: the bytes wait in a private folder of the data directory rather
than in the page's state (which may live in Redis and travels on every event).
Each staged file is named by a random id the page keeps; it is removed once
imported or replaced.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from crm_pwa.domain.import_file import MAX_IMPORT_BYTES, TOO_LARGE
from crm_pwa.private_files import PRIVATE_FILE_MODE, make_private_dir
from crm_pwa.services.errors import NotFound, TooLarge
from crm_pwa.settings import get_settings

GONE = "The chosen file is no longer on the server; choose it again."


def _folder() -> Path:
    folder = get_settings().data_dir / "imports"
    make_private_dir(folder)
    return folder


def _path(staged_id: str) -> Path:
    if not staged_id.isalnum():
        raise NotFound(GONE)
    return _folder() / staged_id


def stage(data: bytes) -> str:
    """Keeps the bytes and returns the id to read them back with."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(TOO_LARGE)
    staged_id = secrets.token_hex(16)
    path = _path(staged_id)
    path.touch(mode=PRIVATE_FILE_MODE)
    path.write_bytes(data)
    return staged_id


def read_staged(staged_id: str) -> bytes:
    try:
        return _path(staged_id).read_bytes()
    except FileNotFoundError as error:
        raise NotFound(GONE) from error


def discard(staged_id: str) -> None:
    if staged_id:
        _path(staged_id).unlink(missing_ok=True)
