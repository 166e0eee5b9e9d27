"""Sending the claimed reminders: many pushes in flight, each confirmed as soon as it lands.

A reminder run claims its follow-ups first (`followup.reminder_claim` holds the
run's token) and clears each claim the moment one of the rep's devices has
taken the message. A run that dies (a worker killed mid fan-out) is retried
under the same token and sends again only what it still holds: never what was
confirmed, never what another run claimed. What cannot be told apart is a
message in flight at the instant of the kill, taken by the push service but not
yet confirmed here: the retry sends it again, with the same Topic (the push
service replaces a message not yet delivered) and the same notification tag (the
phone shows one notification). At-least-once for those few, rather than a
promised call-back silently dropped for the day.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from crm_pwa.db.interaction import FollowUp
from crm_pwa.domain.reminder import Reminder
from crm_pwa.push.sender import PushOutcome, SubscriptionKeys, send_push
from crm_pwa.push.vapid import VapidKeys

REMINDER_TTL_SECONDS = 24 * 3600
# Bound parameters per statement stay well under every driver's limit.
CHUNK = 500
# How long the confirmations of delivered messages gather before one write
# clears their claims: a write per message or two (a transaction, a statement of
# its own size for the driver to prepare) cost more CPU than the sending itself.
# A killed run sends again what was confirmed in its last moment.
GATHER_SECONDS = 0.05


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    keys: SubscriptionKeys


@dataclass(frozen=True)
class Delivery:
    reminder: Reminder
    device: Device
    outcome: PushOutcome


@dataclass(frozen=True)
class SendOptions:
    vapid: VapidKeys
    subject: str
    retry_delays: Sequence[float]
    sleep: Callable[[float], None]
    timeout: float
    workers: int


class SentMarks:
    """Clears the claims of delivered reminders in the background, a batch at a time.

    One thread writes whatever has landed in `GATHER_SECONDS` after the first
    message since its last write: the batch grows with the sending rate, and a
    kill loses at most the confirmations of that moment.
    """

    def __init__(self, engine: Engine, token: str) -> None:
        self._engine = engine
        self._token = token
        self._pending: list[uuid.UUID] = []
        self._marked: set[str] = set()
        self._ready = threading.Condition()
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="reminder-sent", daemon=True)

    def __enter__(self) -> SentMarks:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._ready:
            self._closing = True
            self._ready.notify()
        self._thread.join()
        if self._error is not None and exc is None:
            raise self._error

    def sent(self, follow_up_id: str) -> None:
        with self._ready:
            if follow_up_id in self._marked:
                return
            self._marked.add(follow_up_id)
            self._pending.append(uuid.UUID(follow_up_id))
            if len(self._pending) == 1:
                self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._pending and not self._closing:
                    self._ready.wait()
                self._ready.wait_for(lambda: self._closing, timeout=GATHER_SECONDS)
                batch, self._pending = self._pending, []
                closing = self._closing
            if batch and self._error is None:
                try:
                    self._write(batch)
                except Exception as error:  # the run reports it; the claims stay for a retry
                    self._error = error
            if closing and not batch:
                return

    def _write(self, ids: list[uuid.UUID]) -> None:
        with self._engine.begin() as connection:
            for start in range(0, len(ids), CHUNK):
                connection.execute(
                    update(FollowUp)
                    .where(
                        col(FollowUp.id).in_(ids[start : start + CHUNK]),
                        col(FollowUp.reminder_claim) == self._token,
                    )
                    .values(reminder_claim=None)
                )


def send_all(
    client: httpx.Client,
    jobs: list[tuple[Reminder, Device]],
    marks: SentMarks,
    options: SendOptions,
) -> list[Delivery]:
    """Every (reminder, device) pair sent, many at once over the client's connections."""

    def deliver(job: tuple[Reminder, Device]) -> Delivery:
        reminder, device = job
        outcome = send_with_retries(client, device, reminder, options)
        if outcome.status == "sent":
            marks.sent(reminder.follow_up_id)
        return Delivery(reminder, device, outcome)

    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="push") as pool:
        return list(pool.map(deliver, jobs))


def send_with_retries(
    client: httpx.Client, device: Device, reminder: Reminder, options: SendOptions
) -> PushOutcome:
    retry_delays = options.retry_delays
    for attempt in range(len(retry_delays) + 1):
        try:
            outcome = send_push(
                client,
                device.keys,
                reminder.payload(),
                vapid=options.vapid,
                subject=options.subject,
                ttl=REMINDER_TTL_SECONDS,
                urgency=reminder.urgency,
                topic=reminder.topic,
                timeout=options.timeout,
            )
        except ValueError as refused:
            return PushOutcome("failed", error=str(refused))
        if outcome.status != "retry" or outcome.http_status == 429:
            return outcome
        if attempt == len(retry_delays):
            break
        delay = retry_delays[attempt]
        if outcome.retry_after is not None:
            if outcome.retry_after > max(retry_delays):
                return outcome
            delay = max(delay, outcome.retry_after)
        options.sleep(delay)
    return outcome
