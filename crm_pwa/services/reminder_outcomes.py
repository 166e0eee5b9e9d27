"""What a reminder run tells the database once the push services have answered.

Step 5 of the run (services/reminders.py): a device that took a message is
marked as working; 404/410 removes the device; 429 keeps it quiet until
Retry-After and gives the claim back, so a later run sends the reminder; what
failed for good stays reminded today. Also the run's report.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, bindparam, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.push import PushSubscription
from crm_pwa.domain.reminder import Reminder
from crm_pwa.push.sender import PushOutcome
from crm_pwa.services.reminder_sending import CHUNK, Delivery

# A 429 without Retry-After still means "not now".
DEFAULT_RETRY_AFTER = timedelta(minutes=1)
# A Retry-After of days would silence a device for good; a day at most.
MAX_RETRY_AFTER = timedelta(days=1)
MAX_REPORTED_ERRORS = 20

_T = TypeVar("_T")


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


def record_outcomes(
    engine: Engine,
    deliveries: list[Delivery],
    previous: dict[str, date | None],
    now: datetime,
    report: ReminderRunReport,
    token: str,
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
    with engine.begin() as connection:
        if released:
            connection.execute(
                update(FollowUp)
                .where(
                    and_(
                        col(FollowUp.id) == bindparam("b_id"),
                        col(FollowUp.last_reminded_on) == bindparam("b_day"),
                        col(FollowUp.reminder_claim) == token,
                    )
                )
                .values(last_reminded_on=bindparam("b_previous"), reminder_claim=None),
                [
                    {
                        "b_id": uuid.UUID(reminder.follow_up_id),
                        "b_day": reminder.local_date,
                        "b_previous": before,
                    }
                    for reminder, before in released
                ],
            )
        if not_before:
            connection.execute(
                update(PushSubscription)
                .where(col(PushSubscription.id) == bindparam("b_id"))
                .values(retry_not_before=bindparam("b_when")),
                [{"b_id": device_id, "b_when": when} for device_id, when in not_before.items()],
            )
        # What failed for good, or went to removed devices only, stays reminded today.
        connection.execute(
            update(FollowUp)
            .where(col(FollowUp.reminder_claim) == token)
            .values(reminder_claim=None)
        )
        for chunk in chunks(sorted(succeeded - gone), CHUNK):
            connection.execute(
                update(PushSubscription)
                .where(col(PushSubscription.id).in_(chunk))
                .values(last_success_at=now)
            )
    if gone:
        delete_subscriptions(engine, sorted(gone))


def _retry_wait(retry_after: float | None) -> timedelta:
    if retry_after is None:
        return DEFAULT_RETRY_AFTER
    return min(timedelta(seconds=retry_after), MAX_RETRY_AFTER)


def delete_subscriptions(engine: Engine, ids: Iterable[uuid.UUID]) -> None:
    with engine.begin() as connection:
        for chunk in chunks(list(ids), CHUNK):
            connection.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(chunk)))


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
