"""Admission for the pages' websocket events: what `admission.py` does for the API.

Reflex hands every event a page sends over its websocket to its event
processor, whose queue has no bound: a saturated worker answers a search or a
card minutes late rather than saying no, and the person stares at a spinner.
Here each event is checked as it arrives against what an
event now waits for: the event loop (how late a task that asked to be woken
every `PROBE_SECONDS` runs) and the threads that do the pages' database work
(how long that work waits for a thread: the handlers keep the database off the
loop, so under load this is where events queue). When either wait reaches
`RAPPORT_EVENT_MAX_WAIT_MS`, the event is not enqueued: the page gets a toast
saying the server is busy, at once, and stays usable. The page does not
wait for an answer before sending its next event (Reflex's `processEvent` emits
and moves on), so a refused search or card is simply not done; the person
repeats it. No note can be lost this way: notes travel through the outbox and
`/api/v1/sync`, which has its own admission and a `Retry-After` the outbox
honours.

Opening a page (`hydrate`, `hydrate_and_load`, `on_load_internal`) is always admitted: refused, the
page would stay grey with nothing to press again but reload, and a reload
costs the server more than the event.

Why waits rather than a count: events of different tabs run side by side, and
what a newcomer waits for is the backlog ahead of it in those two queues,
whatever mix of events (and API threads holding the interpreter) makes it up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

import reflex as rx
from reflex.app import App
from reflex.constants import CompileVars
from reflex.event import Event
from reflex.state import StateUpdate

from crm_pwa.api.admission import BUSY

log = logging.getLogger(__name__)

PROBE_SECONDS = 0.1
SMOOTHING = 0.3
# Events that open a page: always admitted (see the module's doc).
PAGE_OPENING = (CompileVars.HYDRATE, CompileVars.HYDRATE_AND_LOAD, "on_load_internal")


def admits(event_name: str, wait: float, max_wait: float) -> bool:
    """Whether an event arriving now is taken on, given how long work now waits.

    The default limit, half a second: an admitted event waits about one lag for
    each turn it needs (state, handler, delta), so a search then answers in a
    second or two, about where the API's lanes say no (2 s)."""
    return wait < max_wait or event_name.rsplit(".", 1)[-1] in PAGE_OPENING


class QueueWait:
    """How long work waits for its turn: smoothed over the work that got its turn,
    and the age of the oldest still waiting. The second sees a burst as it
    builds, not only once the queue is worked off."""

    def __init__(self) -> None:
        self.smoothed = 0.0
        self._tickets = itertools.count()
        self._waiting: dict[int, float] = {}

    def queued(self, since: float | None = None) -> int:
        ticket = next(self._tickets)
        self._waiting[ticket] = time.monotonic() if since is None else since
        return ticket

    def started(self, ticket: int) -> None:
        since = self._waiting.pop(ticket, None)
        if since is not None:
            self.smoothed += SMOOTHING * (max(time.monotonic() - since, 0.0) - self.smoothed)

    def forget(self, ticket: int) -> None:
        """Work that will never start (cancelled while it waited) waits no longer."""
        self._waiting.pop(ticket, None)

    def seconds(self) -> float:
        oldest = min(self._waiting.values(), default=None)
        return max(self.smoothed, 0.0 if oldest is None else time.monotonic() - oldest)


# The pages' database work waits for a thread (crm_pwa/state/session.py records it).
DATABASE = QueueWait()


async def probe_loop(loop_wait: QueueWait, every: float = PROBE_SECONDS) -> None:
    """Measures the event loop's lag until cancelled: a task asks to be woken every
    `every` seconds; how late it runs is how long ready work waits for the loop."""
    while True:
        ticket = loop_wait.queued(since=time.monotonic() + every)
        try:
            await asyncio.sleep(every)
        finally:
            loop_wait.started(ticket)


def install(app: App, max_wait: float) -> None:
    """Checks every websocket event of `app` against the waits (see module doc)."""
    loop_wait = QueueWait()
    namespace = app.event_namespace
    if namespace is None:
        raise RuntimeError("the app has no websocket namespace: state is off")
    enqueue: Callable[[str, Any], Coroutine[Any, Any, None]] = namespace.on_event
    # The API's words; the id keeps repeated refusals one toast on the page.
    busy = Event.from_event_type(rx.toast.error(BUSY, id="server-busy"))

    async def on_event(sid: str, data: Any) -> None:
        name = data.get("name", "") if isinstance(data, dict) else ""
        token = namespace.sid_to_token.get(sid)
        waits = max(loop_wait.seconds(), DATABASE.seconds())
        if token is None or admits(str(name), waits, max_wait):
            await enqueue(sid, data)
            return
        log.warning("event refused: work waits %.2f s for its turn", waits)
        await namespace.emit_update(StateUpdate(events=busy), token)

    # python-socketio looks the handler up on the namespace by name, per event.
    namespace.on_event = on_event  # type: ignore[method-assign]
    app.register_lifespan_task(probe_loop, loop_wait=loop_wait)
