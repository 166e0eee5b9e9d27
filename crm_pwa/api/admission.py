"""Admission control for the JSON API: a few requests at work, a short queue, 503 beyond.

Why a limit at all: the routes are synchronous, so FastAPI runs each request's
database-session dependency, its caller lookup, its handler and its response
serialisation as separate calls on one shared thread pool (40 threads). A
request holds its pooled connection (and on SQLite maybe the write lock)
between those calls. When more requests arrive than there are connections,
the threads fill up with requests waiting for a connection while the requests
holding the connections wait for a thread to finish on: nothing moves until
the 30 s pool timeout (fastapi/fastapi#3205). Keeping the requests at work
below both the connection pool and the thread pool makes that wait-for cycle
impossible; the queue absorbs bursts; what is beyond it is told to come back
(`503` + `Retry-After`, which the phone's outbox honours) instead of timing out.

Signing in has a lane of its own: its request spends tens of milliseconds of
a core on argon2 (a third of a second with the former parameters; bounded in
crm_pwa/services/passwords.py), so sixteen of them in the shared lane held
every slot for seconds and a rep's plain read queued behind them. The sign-in
lane is as wide as the hashing threads, with a queue of its own; what does not
fit is answered 503 before any database work.

A queue bounded by a count alone let a request wait past the phone's 10 s on
a busy machine: 64 places drain in a second at 50 requests/s, in twelve at 5
sign-ins/s, and the phone gave up on requests the server still went on to
answer. So each lane also measures how long a request holds its slot and
turns away at once the one whose turn would come after `max_wait` seconds;
a queued one whose turn still came too late is turned away without being
started. What is admitted finishes well inside the phone's patience.
"""

from __future__ import annotations

import asyncio
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

RETRY_AFTER_SECONDS = 1
# How much each new measure of a slot's holding time moves the running mean.
SMOOTHING = 0.2


BUSY = "The server is busy. Try again in a moment."


async def server_busy(scope: Scope, receive: Receive, send: Send, message: str = BUSY) -> None:
    response = JSONResponse(
        {"detail": message},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    await response(scope, receive, send)


class Admission:
    """At most `limit` requests under `prefix` at work, `queue` more waiting for a turn.

    Requests under `exclude` pass by: they are counted in a lane of their own.

    A request that finds the queue full, or a line whose measured pace would
    give it a turn only after `max_wait` seconds, is answered 503 at once; one
    that still waited longer (the pace slowed while it queued) is answered 503
    when its turn comes, before any work.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        limit: int,
        queue: int,
        exclude: str | None = None,
        busy: str = BUSY,
        max_wait: float = 2.0,
    ) -> None:
        if limit < 1 or queue < 0 or max_wait <= 0:
            raise ValueError(f"bad admission limits: limit={limit} queue={queue} wait={max_wait}")
        self.app = app
        self.prefix = prefix
        self.exclude = exclude
        self.busy = busy
        self.limit = limit
        self.queue = queue
        self.max_wait = max_wait
        # Mean seconds a request holds its slot; 0 until one has finished.
        self.holding = 0.0
        self._waiting = 0
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # One semaphore per event loop: test clients start a loop per client.
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop, self._waiting = asyncio.Semaphore(self.limit), loop, 0
        return self._slots

    def _expected_wait(self) -> float:
        """Seconds until a newcomer's turn at the measured pace, `limit` at a time."""
        return (self._waiting + 1) * self.holding / self.limit

    def _measure(self, seconds: float) -> None:
        self.holding = (
            seconds if not self.holding else self.holding + SMOOTHING * (seconds - self.holding)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path.startswith(self.prefix) or (self.exclude and path.startswith(self.exclude)):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        if slots.locked() and (
            self._waiting >= self.queue or self._expected_wait() > self.max_wait
        ):
            await server_busy(scope, receive, send, self.busy)
            return
        arrived = time.monotonic()
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        started = time.monotonic()
        try:
            if started - arrived > self.max_wait:
                await server_busy(scope, receive, send, self.busy)
                return
            await self.app(scope, receive, send)
            self._measure(time.monotonic() - started)
        finally:
            slots.release()
