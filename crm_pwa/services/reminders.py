"""The reminder run: due follow-ups become push messages on each of the rep's devices.

One run, every minute from the app's scheduler or `python -m crm_pwa remind`:

1. load, per rep with a usable device, the open follow-ups that may be due;
2. `plan_reminders` picks what is due now in the rep's own day and hours;
3. claim each reminder with a conditional UPDATE of `last_reminded_on` that
   also writes the run's token into `reminder_claim`, so that however many
   workers or runs overlap, exactly one of them sends it;
4. send to each device in parallel over one keep-alive client, clearing each
   claim as soon as a device took the message (services/reminder_sending.py);
5. record what the push services said (services/reminder_outcomes.py): 404/410
   removes the device, 429 keeps it quiet until Retry-After and gives the claim
   back so a later run retries.

On the job queue a run is a job: retried after a crash under the same token, it
first gives back what it claimed and never confirmed, then plans again, so what
a killed worker held is sent after all and what it sent is not sent twice.
"""

from __future__ import annotations

import ssl
import time as clock_time
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import get_engine
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import User
from crm_pwa.domain.days import latest_day
from crm_pwa.domain.reminder import Reminder, ReminderCandidate, RepSchedule, plan_reminders
from crm_pwa.push.sender import SubscriptionKeys
from crm_pwa.services.push import PUSH_TIMEOUT_SECONDS, endpoint_allowed, vapid_keys
from crm_pwa.services.reminder_outcomes import (
    ReminderRunReport,
    chunks,
    delete_subscriptions,
    record_outcomes,
)
from crm_pwa.services.reminder_sending import (
    CHUNK,
    Device,
    SendOptions,
    SentMarks,
    send_all,
)
from crm_pwa.settings import get_settings

# Waits between attempts at one message when a push service fails (5xx, network):
# a short outage is ridden out within the run, a long one waits for the next run.
RETRY_DELAYS = (0.5, 1.0, 2.0)
# Sending mostly waits on the push service (tens of ms a request): many requests
# in flight over the client's keep-alive connections, not more CPU. 16, not 32:
# each is a thread, and past 16 they spent the time taking turns for the
# interpreter (bench/push.py's queue fan-out took 14-16 s with 16, 16-18 s with 32).
SEND_WORKERS = 16


@dataclass
class _RepPlan:
    user_id: uuid.UUID
    devices: list[Device]
    reminders: list[Reminder] = field(default_factory=list)


def send_due_reminders(
    *, only: Collection[str] | None = None, claim: str | None = None
) -> ReminderRunReport:
    """One run now against the configured database: the scheduler's, the queue's and
    the CLI's entry (see `run_reminders` for `only` and `claim`)."""
    limits = httpx.Limits(max_connections=SEND_WORKERS, max_keepalive_connections=SEND_WORKERS)
    # HTTP/2 where the push service offers it (over TLS, as FCM, autopush and
    # Apple's do): many messages share one kept-alive connection. A plain-http
    # endpoint (the tests' and the benchmark's) keeps HTTP/1.1 keep-alive.
    with httpx.Client(limits=limits, http2=True, verify=_tls_context()) as client:
        return run_reminders(
            engine_or_session=get_engine(), now=clock.now(), client=client, only=only, claim=claim
        )


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """The certificate store is read once per process, not once per run: a fan-out
    is 20 runs a minute. A client of its own per run all the same: one client's pool
    shared by several runs' threads costs more in its lock than connecting does."""
    return httpx.create_ssl_context()


def run_reminders(
    *,
    engine_or_session: Engine | Session,
    now: datetime,
    client: httpx.Client,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = clock_time.sleep,
    timeout: float = PUSH_TIMEOUT_SECONDS,
    workers: int = SEND_WORKERS,
    only: Collection[str] | None = None,
    claim: str | None = None,
) -> ReminderRunReport:
    """Send every reminder due at `now` (aware). Each step commits on its own.

    `only` limits the run to these follow-up ids (one job of a fan-out); `claim`
    is the run's token, the same on every attempt of one job: a retried run
    first takes back what an earlier attempt claimed and never confirmed.
    A Session stands for its engine: the run opens its own short transactions,
    so commit anything the reminders should see before calling it.
    """
    engine = _engine_of(engine_or_session)
    token = claim or uuid.uuid4().hex
    if claim is not None:
        _take_back(engine, token)
    report = ReminderRunReport()
    plans, previous = _load(engine, now, report, only)
    won = _claim(engine, [reminder for plan in plans for reminder in plan.reminders], token)
    for plan in plans:
        plan.reminders = [r for r in plan.reminders if r.follow_up_id in won]
    plans = [plan for plan in plans if plan.reminders]
    report.reps = len(plans)
    report.claimed = sum(len(plan.reminders) for plan in plans)
    if not plans:
        return report

    options = SendOptions(
        vapid=vapid_keys(),
        subject=get_settings().vapid_subject,
        retry_delays=retry_delays,
        sleep=sleep,
        timeout=timeout,
        workers=workers,
    )
    jobs = [
        (reminder, device)
        for plan in plans
        for reminder in plan.reminders
        for device in plan.devices
    ]
    with SentMarks(engine, token) as marks:
        deliveries = send_all(client, jobs, marks, options)
    record_outcomes(engine, deliveries, previous, now, report, token)
    return report


def due_follow_up_ids(engine: Engine, now: datetime) -> list[str]:
    """The follow-ups a run at `now` would remind, unclaimed: what a fan-out splits up."""
    plans, _previous = _load(engine, now, ReminderRunReport(), None)
    return [reminder.follow_up_id for plan in plans for reminder in plan.reminders]


def _take_back(engine: Engine, token: str) -> None:
    """An earlier attempt of this run claimed these and never confirmed them sent."""
    with engine.begin() as connection:
        connection.execute(
            update(FollowUp)
            .where(col(FollowUp.reminder_claim) == token)
            .values(last_reminded_on=None, reminder_claim=None)
        )


def _engine_of(engine_or_session: Engine | Session) -> Engine:
    if isinstance(engine_or_session, Engine):
        return engine_or_session
    bind = engine_or_session.get_bind()
    if isinstance(bind, Connection):
        return bind.engine
    return bind


def _load(
    engine: Engine, now: datetime, report: ReminderRunReport, only: Collection[str] | None
) -> tuple[list[_RepPlan], dict[str, date | None]]:
    """Each rep's due reminders and usable devices; the previous `last_reminded_on`s."""
    devices: dict[uuid.UUID, list[Device]] = defaultdict(list)
    refused: list[uuid.UUID] = []
    # The rep's hours come with each device row: the join is there already.
    hours: dict[uuid.UUID, tuple[str, time, time, time]] = {}
    with engine.connect() as connection:
        candidates = _candidates(connection, now, only)
        query = (
            select(
                col(PushSubscription.id),
                col(PushSubscription.user_id),
                col(PushSubscription.endpoint),
                col(PushSubscription.p256dh),
                col(PushSubscription.auth),
                col(PushSubscription.retry_not_before),
                col(User.time_zone),
                col(User.reminder_time),
                col(User.quiet_start),
                col(User.quiet_end),
            )
            .join(User, col(User.id) == col(PushSubscription.user_id))
            .where(col(User.is_active))
        )
        if only is not None:
            # One job of a fan-out: only its reps' devices, not every rep's once per job.
            query = query.where(col(PushSubscription.user_id).in_(list(candidates)))
        for row in connection.execute(query):
            if not endpoint_allowed(row.endpoint):
                refused.append(row.id)
            elif row.retry_not_before is None or row.retry_not_before <= now:
                keys = SubscriptionKeys(row.endpoint, row.p256dh, row.auth)
                devices[row.user_id].append(Device(row.id, keys))
                hours[row.user_id] = (
                    row.time_zone,
                    row.reminder_time,
                    row.quiet_start,
                    row.quiet_end,
                )
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


def _candidates(
    connection: Connection, now: datetime, only: Collection[str] | None
) -> dict[uuid.UUID, list[ReminderCandidate]]:
    # No rep's today is later than this; plan_reminders decides exactly.
    newest_day = latest_day(now)
    query = (
        select(
            col(FollowUp.id),
            col(FollowUp.owner_id),
            col(FollowUp.contact_id),
            col(Contact.name),
            col(FollowUp.title),
            col(FollowUp.due_on),
            col(FollowUp.status),
            col(FollowUp.snooze_until),
            col(FollowUp.last_reminded_on),
            col(Contact.do_not_contact),
        )
        .join(Contact, col(Contact.id) == col(FollowUp.contact_id))
        .where(
            col(FollowUp.owner_id).in_(select(col(PushSubscription.user_id))),
            col(FollowUp.status).in_(("open", "snoozed")),
            col(FollowUp.due_on) <= newest_day,
            or_(
                col(FollowUp.last_reminded_on).is_(None),
                col(FollowUp.last_reminded_on) < newest_day,
            ),
            col(Contact.do_not_contact).is_(False),
        )
    )
    if only is not None:
        query = query.where(col(FollowUp.id).in_([uuid.UUID(one) for one in only]))
    found: dict[uuid.UUID, list[ReminderCandidate]] = defaultdict(list)
    for row in connection.execute(query):
        found[row.owner_id].append(
            ReminderCandidate(
                follow_up_id=str(row.id),
                contact_id=str(row.contact_id),
                contact_name=row.name,
                title=row.title,
                due_on=row.due_on,
                status=row.status,
                snooze_until=row.snooze_until,
                last_reminded_on=row.last_reminded_on,
                do_not_contact=row.do_not_contact,
            )
        )
    return found


def _claim(engine: Engine, reminders: list[Reminder], token: str) -> set[str]:
    """The follow-ups this run won: `last_reminded_on` moved to their day by this UPDATE."""
    won: set[str] = set()
    by_day: dict[date, list[str]] = defaultdict(list)
    for reminder in reminders:
        by_day[reminder.local_date].append(reminder.follow_up_id)
    for day, ids in by_day.items():
        for chunk in chunks(sorted(ids), CHUNK):
            # The UPDATE is the whole transaction: on SQLite it takes the write lock
            # with a fresh snapshot, on PostgreSQL a row another run just claimed no
            # longer matches once that run commits.
            with engine.begin() as connection:
                claimed = connection.execute(
                    update(FollowUp)
                    .where(
                        col(FollowUp.id).in_([uuid.UUID(one) for one in chunk]),
                        or_(
                            col(FollowUp.last_reminded_on).is_(None),
                            col(FollowUp.last_reminded_on) < day,
                        ),
                    )
                    .values(last_reminded_on=day, reminder_claim=token)
                    .returning(col(FollowUp.id))
                )
                won.update(str(row.id) for row in claimed)
    return won
