"""How Granian, the server of `reflex run --env prod`, runs Rapport's app workers.

Reflex starts Granian with its defaults, and two of them do not suit a server
that several reps lean on at once:

- A worker that dies (killed by the kernel for memory, `kill -9`, a crash in a
  native library) makes Granian stop every other worker and exit: one lost
  process takes the whole site down. Rapport's Granian starts a new worker in
  its place; the others keep serving, and the shared listening socket keeps the
  connections waiting in its queue for whichever worker accepts next.
- On SIGTERM Granian waits for its workers with no limit; a worker lets its
  in-flight requests finish, so a stuck request would hold the stop forever.
  Rapport's Granian gives them `RAPPORT_SHUTDOWN_GRACE_SECONDS` (30 s) and
  then kills them.

Reflex looks `granian.server.Server` up when it starts the backend, after it
has read rxconfig.py, so rxconfig.py installs this class there (`install`).
"""

from __future__ import annotations

from typing import Any

import granian.server
from granian.server import Server

from crm_pwa.settings import get_settings


class RapportGranian(Server):  # type: ignore[misc, valid-type]
    """Granian that replaces a worker that dies and bounds how long a stop waits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("respawn_failed_workers", True)
        kwargs.setdefault("workers_kill_timeout", get_settings().shutdown_grace_seconds)
        super().__init__(*args, **kwargs)


def install() -> None:
    """Makes Reflex start RapportGranian; idempotent."""
    granian.server.Server = RapportGranian
