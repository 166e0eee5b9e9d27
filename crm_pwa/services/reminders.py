"""The reminder run: due follow-ups become push messages on each of the rep's devices.

One run, every minute from the app's scheduler or `python -m crm_pwa remind`:

1. load, per rep with a usable device, the open follow-ups that may be due;
2. `plan_reminders` picks what is due now in the rep's own day and hours;
3. claim each reminder with a conditional UPDATE of `last_reminded_on`, so that
   however many workers or runs overlap, exactly one of them sends it;
4. send to each device in parallel over one keep-alive client;
5. record what the push services said: 404/410 removes the device, 429 keeps
   it quiet until Retry-After and gives the claim back so a later run retries.

Claiming before sending means a crash between the two loses that day's
reminder instead of sending it twice: a missed nudge is cheaper than spam.
"""

from __future__ import annotations

import time as clock_time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import httpx
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.db.engine import get_engine
from crm_pwa.db.reminder_rows import (
    chunks,
    claim_follow_ups,
    delete_subscriptions,
    device_rows,
    reminder_candidates,
    write_outcomes,
)
from crm_pwa.domain.days import latest_day
from crm_pwa.domain.reminder import Reminder, RepSchedule, plan_reminders
from crm_pwa.push.sender import PushOutcome, SubscriptionKeys, send_push
from crm_pwa.push.vapid import VapidKeys
from crm_pwa.services.push import PUSH_TIMEOUT_SECONDS, endpoint_allowed, vapid_keys
from crm_pwa.settings import get_settings

REMINDER_TTL_SECONDS = 24 * 3600
# Waits between attempts at one message when a push service fails (5xx, network):
# a short outage is ridden out within the run, a long one waits for the next run.
RETRY_DELAYS = (0.5, 1.0, 2.0)
# A 429 without Retry-After still means "not now".
DEFAULT_RETRY_AFTER = timedelta(minutes=1)
# A Retry-After of days would silence a device for good; a day at most.
MAX_RETRY_AFTER = timedelta(days=1)
# Sending mostly waits on the push service (tens of ms a request): many requests
# in flight over the client's keep-alive connections, not more CPU.
SEND_WORKERS = 32
MAX_REPORTED_ERRORS = 20


@dataclass
class ReminderRunReport:
    reps: int = 0
    planned: int = 0
    claimed: int = 0
    pushes_sent: int = 0
    pushes_failed: int = 0
    claims_released: int = 0
    subscriptions_removed: int = 0
    errors: list[str] = field(default_factory=list)

    def note(self, error: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def summary(self) -> str:
        return (
            f"{self.claimed} reminders for {self.reps} reps: {self.pushes_sent} pushes sent, "
            f"{self.pushes_failed} failed, {self.claims_released} left for a later run, "
            f"{self.subscriptions_removed} devices removed"
        )


@dataclass(frozen=True)
class _Device:
    id: uuid.UUID
    keys: SubscriptionKeys


@dataclass
class _RepPlan:
    user_id: uuid.UUID
    devices: list[_Device]
    reminders: list[Reminder] = field(default_factory=list)


@dataclass(frozen=True)
class _Delivery:
    reminder: Reminder
    device: _Device
    outcome: PushOutcome


def send_due_reminders() -> ReminderRunReport:
    """One run now against the configured database: the scheduler's and the CLI's entry."""
    limits = httpx.Limits(max_connections=SEND_WORKERS, max_keepalive_connections=SEND_WORKERS)
    with httpx.Client(limits=limits) as client:
        return run_reminders(engine_or_session=get_engine(), now=clock.now(), client=client)


def run_reminders(
    *,
    engine_or_session: Engine | Session,
    now: datetime,
    client: httpx.Client,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = clock_time.sleep,
    timeout: float = PUSH_TIMEOUT_SECONDS,
    workers: int = SEND_WORKERS,
) -> ReminderRunReport:
    """Send every reminder due at `now` (aware). Each step commits on its own.

    A Session stands for its engine: the run opens its own short transactions,
    so commit anything the reminders should see before calling it.
    """
    engine = _engine_of(engine_or_session)
    report = ReminderRunReport()
    plans, previous = _load(engine, now, report)
    won = _claim(engine, [reminder for plan in plans for reminder in plan.reminders])
    for plan in plans:
        plan.reminders = [r for r in plan.reminders if r.follow_up_id in won]
    plans = [plan for plan in plans if plan.reminders]
    report.reps = len(plans)
    report.claimed = sum(len(plan.reminders) for plan in plans)
    if not plans:
        return report

    vapid = vapid_keys()
    subject = get_settings().vapid_subject

    def deliver(job: tuple[Reminder, _Device]) -> _Delivery:
        reminder, device = job
        outcome = _send_with_retries(
            client,
            device,
            reminder,
            vapid=vapid,
            subject=subject,
            retry_delays=retry_delays,
            sleep=sleep,
            timeout=timeout,
        )
        return _Delivery(reminder, device, outcome)

    jobs = [
        (reminder, device)
        for plan in plans
        for reminder in plan.reminders
        for device in plan.devices
    ]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="push") as pool:
        deliveries = list(pool.map(deliver, jobs))
    _record(engine, deliveries, previous, now, report)
    return report


def _engine_of(engine_or_session: Engine | Session) -> Engine:
    if isinstance(engine_or_session, Engine):
        return engine_or_session
    bind = engine_or_session.get_bind()
    if isinstance(bind, Connection):
        return bind.engine
    return bind


def _load(
    engine: Engine, now: datetime, report: ReminderRunReport
) -> tuple[list[_RepPlan], dict[str, date | None]]:
    """Each rep's due reminders and usable devices; the previous `last_reminded_on`s."""
    devices: dict[uuid.UUID, list[_Device]] = defaultdict(list)
    refused: list[uuid.UUID] = []
    # The rep's hours come with each device row: the join is there already.
    hours: dict[uuid.UUID, tuple[str, time, time, time]] = {}
    with engine.connect() as connection:
        for row in device_rows(connection):
            if not endpoint_allowed(row.endpoint):
                refused.append(row.id)
            elif row.retry_not_before is None or row.retry_not_before <= now:
                keys = SubscriptionKeys(row.endpoint, row.p256dh, row.auth)
                devices[row.user_id].append(_Device(row.id, keys))
                hours[row.user_id] = (
                    row.time_zone,
                    row.reminder_time,
                    row.quiet_start,
                    row.quiet_end,
                )
        # No rep's today is later than this; plan_reminders decides exactly.
        candidates = reminder_candidates(connection, latest_day(now))
    if refused:
        # The allow-list changed since the browser subscribed: never contact it.
        delete_subscriptions(engine, refused)
        report.subscriptions_removed += len(refused)

    plans: list[_RepPlan] = []
    previous: dict[str, date | None] = {}
    for user_id, user_devices in devices.items():
        own = candidates.get(user_id)
        if not own:
            continue
        time_zone, reminder_time, quiet_start, quiet_end = hours[user_id]
        try:
            schedule = RepSchedule(
                time_zone=time_zone,
                reminder_time=reminder_time,
                quiet_start=quiet_start,
                quiet_end=quiet_end,
            )
        except ValueError as bad_zone:
            report.note(f"user {user_id}: {bad_zone}")
            continue
        reminders = plan_reminders(own, schedule, now)
        if reminders:
            plans.append(_RepPlan(user_id, user_devices, reminders))
            previous.update({c.follow_up_id: c.last_reminded_on for c in own})
    report.planned = sum(len(plan.reminders) for plan in plans)
    return plans, previous


def _claim(engine: Engine, reminders: list[Reminder]) -> set[str]:
    """The follow-ups this run won: `last_reminded_on` moved to their day by this UPDATE."""
    won: set[str] = set()
    by_day: dict[date, list[str]] = defaultdict(list)
    for reminder in reminders:
        by_day[reminder.local_date].append(reminder.follow_up_id)
    for day, ids in by_day.items():
        for chunk in chunks(sorted(ids)):
            # The UPDATE is the whole transaction: on SQLite it takes the write lock
            # with a fresh snapshot, on PostgreSQL a row another run just claimed no
            # longer matches once that run commits.
            won |= claim_follow_ups(engine, day, chunk)
    return won


def _send_with_retries(
    client: httpx.Client,
    device: _Device,
    reminder: Reminder,
    *,
    vapid: VapidKeys,
    subject: str,
    retry_delays: Sequence[float],
    sleep: Callable[[float], None],
    timeout: float,
) -> PushOutcome:
    for attempt in range(len(retry_delays) + 1):
        try:
            outcome = send_push(
                client,
                device.keys,
                reminder.payload(),
                vapid=vapid,
                subject=subject,
                ttl=REMINDER_TTL_SECONDS,
                urgency=reminder.urgency,
                topic=reminder.topic,
                timeout=timeout,
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
        sleep(delay)
    return outcome


def _record(
    engine: Engine,
    deliveries: list[_Delivery],
    previous: dict[str, date | None],
    now: datetime,
    report: ReminderRunReport,
) -> None:
    gone: set[uuid.UUID] = set()
    succeeded: set[uuid.UUID] = set()
    not_before: dict[uuid.UUID, datetime] = {}
    results: dict[str, list[PushOutcome]] = defaultdict(list)
    reminders: dict[str, Reminder] = {}
    for delivery in deliveries:
        outcome, device = delivery.outcome, delivery.device
        results[delivery.reminder.follow_up_id].append(outcome)
        reminders[delivery.reminder.follow_up_id] = delivery.reminder
        if outcome.status == "sent":
            report.pushes_sent += 1
            succeeded.add(device.id)
            continue
        report.pushes_failed += 1
        if outcome.status == "gone":
            gone.add(device.id)
        elif outcome.status == "retry" and (
            outcome.http_status == 429 or outcome.retry_after is not None
        ):
            wait = _retry_wait(outcome.retry_after)
            not_before[device.id] = max(not_before.get(device.id, now), now + wait)
        report.note(f"{outcome.status}: {outcome.error or outcome.http_status}")
    # One device that got it is enough: a retry would remind the others twice.
    released = [
        (reminders[follow_up_id], previous.get(follow_up_id))
        for follow_up_id, outcomes in results.items()
        if not any(o.status == "sent" for o in outcomes)
        and any(o.status == "retry" for o in outcomes)
    ]
    report.claims_released = len(released)
    report.subscriptions_removed += len(gone)
    write_outcomes(
        engine,
        released=[
            (uuid.UUID(reminder.follow_up_id), reminder.local_date, before)
            for reminder, before in released
        ],
        not_before=not_before,
        delivered=sorted(succeeded - gone),
        now=now,
    )
    if gone:
        delete_subscriptions(engine, sorted(gone))


def _retry_wait(retry_after: float | None) -> timedelta:
    if retry_after is None:
        return DEFAULT_RETRY_AFTER
    return min(timedelta(seconds=retry_after), MAX_RETRY_AFTER)
