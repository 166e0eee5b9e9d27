"""What the reminder run reads and writes: devices with their rep's hours, follow-ups
that may be due, the claims on them, and what the push services answered."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import User
from crm_pwa.domain.reminder import ReminderCandidate

# Ids per IN (...) list: well under every database's limit on bound parameters.
CHUNK = 500

_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def device_rows(connection: Connection) -> Iterator[Any]:
    """Every device of an active user, with the user's zone, reminder time and quiet hours."""
    yield from connection.execute(
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


def reminder_candidates(
    connection: Connection, newest_day: date
) -> dict[uuid.UUID, list[ReminderCandidate]]:
    """By owner: open or snoozed follow-ups due by `newest_day` and not reminded of since."""
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


def claim_follow_ups(engine: Engine, day: date, ids: Sequence[str]) -> set[str]:
    """The follow-ups among `ids` whose `last_reminded_on` this UPDATE moved to `day`.

    The UPDATE is the whole transaction: on SQLite it takes the write lock with a
    fresh snapshot, on PostgreSQL a row another run just claimed no longer
    matches once that run commits.
    """
    with engine.begin() as connection:
        claimed = connection.execute(
            update(FollowUp)
            .where(
                col(FollowUp.id).in_([uuid.UUID(one) for one in ids]),
                or_(
                    col(FollowUp.last_reminded_on).is_(None),
                    col(FollowUp.last_reminded_on) < day,
                ),
            )
            .values(last_reminded_on=day)
            .returning(col(FollowUp.id))
        )
        return {str(row.id) for row in claimed}


def write_outcomes(
    engine: Engine,
    *,
    released: list[tuple[uuid.UUID, date, date | None]],
    not_before: dict[uuid.UUID, datetime],
    delivered: list[uuid.UUID],
    now: datetime,
) -> None:
    """In one transaction: claims given back ((follow-up, claimed day, day before)) where
    the claim still holds, devices kept quiet until a time, devices that took a push."""
    with engine.begin() as connection:
        if released:
            connection.execute(
                update(FollowUp)
                .where(
                    and_(
                        col(FollowUp.id) == bindparam("b_id"),
                        col(FollowUp.last_reminded_on) == bindparam("b_day"),
                    )
                )
                .values(last_reminded_on=bindparam("b_previous")),
                [
                    {"b_id": follow_up_id, "b_day": day, "b_previous": before}
                    for follow_up_id, day, before in released
                ],
            )
        if not_before:
            connection.execute(
                update(PushSubscription)
                .where(col(PushSubscription.id) == bindparam("b_id"))
                .values(retry_not_before=bindparam("b_when")),
                [{"b_id": device_id, "b_when": when} for device_id, when in not_before.items()],
            )
        for chunk in chunks(delivered):
            connection.execute(
                update(PushSubscription)
                .where(col(PushSubscription.id).in_(chunk))
                .values(last_success_at=now)
            )


def delete_subscriptions(engine: Engine, ids: Iterable[uuid.UUID]) -> None:
    with engine.begin() as connection:
        for chunk in chunks(list(ids)):
            connection.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(chunk)))
