"""Folders and files that hold the reps' data or the server's keys: the owner's alone."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Create `path` (and missing parents) readable by its owner only; an existing one is kept."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        # mkdir's mode is filtered by the umask; say it plainly.
        os.chmod(folder, PRIVATE_DIR_MODE)


def make_private_file(path: Path) -> None:
    """Create an empty `path` with mode 0600 unless it exists, before anyone else opens it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(fd, PRIVATE_FILE_MODE)
    os.close(fd)
