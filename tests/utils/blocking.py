"""Two transactions at once: one holds rows, the other must wait for its commit."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import Session


def waits_for_commit(holder: Session, action: Callable[[], None]) -> None:
    """Runs `action` in a thread; it must still be waiting after a second (the
    holder's locks), and must finish without error once the holder commits."""
    done = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            action()
            done.set()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    assert not done.wait(1.0), "it did not wait for the other transaction"
    holder.commit()
    holder.close()
    thread.join(timeout=30)
    assert failures == [] and done.is_set()
