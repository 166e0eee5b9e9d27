"""A file chosen on the Import page, kept on the server between its preview and the import.

The page previews the file, lets the rep change the column mapping, and only
then imports: the bytes wait in a private folder of the data directory rather
than in the page's state (which may live in Redis and travels on every event).
Each staged file is named by a random id the page keeps; it is removed once
imported or replaced.

A file whose page was closed before the import would stay there, holding the
people in it: a staged file lives LIFETIME at most. An older one counts as gone
when read, and is deleted whenever a file is staged and by the app's hourly
job (crm_pwa/scheduler.py), so none outlives it by much even on a quiet server.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path

from crm_pwa.domain.import_file import MAX_IMPORT_BYTES, TOO_LARGE
from crm_pwa.private_files import PRIVATE_FILE_MODE, make_private_dir
from crm_pwa.services.errors import NotFound, TooLarge
from crm_pwa.settings import get_settings

GONE = "The chosen file is no longer on the server; choose it again."
# Far longer than a preview and a mapping take; a file kept longer was left behind.
LIFETIME = timedelta(hours=1)


def _folder() -> Path:
    folder = get_settings().data_dir / "imports"
    make_private_dir(folder)
    return folder


def _path(staged_id: str) -> Path:
    if not staged_id.isalnum():
        raise NotFound(GONE)
    return _folder() / staged_id


def _expired(path: Path) -> bool:
    # The file's age on this machine's clock (its modification time), not the
    # app's clock, which a demo or a browser test may move.
    return time.time() - path.stat().st_mtime > LIFETIME.total_seconds()


def stage(data: bytes) -> str:
    """Keeps the bytes and returns the id to read them back with."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(TOO_LARGE)
    forget_abandoned()
    staged_id = secrets.token_hex(16)
    path = _path(staged_id)
    path.touch(mode=PRIVATE_FILE_MODE)
    path.write_bytes(data)
    return staged_id


def read_staged(staged_id: str) -> bytes:
    path = _path(staged_id)
    try:
        if _expired(path):
            path.unlink(missing_ok=True)
            raise NotFound(GONE)
        return path.read_bytes()
    except FileNotFoundError as error:
        raise NotFound(GONE) from error


def discard(staged_id: str) -> None:
    if staged_id:
        _path(staged_id).unlink(missing_ok=True)


def forget_abandoned() -> int:
    """Deletes the staged files older than LIFETIME; returns how many."""
    gone = 0
    for path in _folder().iterdir():
        try:
            if _expired(path):
                path.unlink()
                gone += 1
        except FileNotFoundError:
            continue  # imported or swept by another worker meanwhile
    return gone
