"""Weekly health snapshots: one row per contact per ISO week, written once.

A week's row holds the score as of the end of that week (its Sunday), or as of
today while the week is still running; facts dated later are ignored, so a
missed week can be written afterwards with the score it would have had.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot, SnapshotScore, insert_snapshots
from crm_pwa.db.health_facts import iter_facts
from crm_pwa.domain.health import score_relationship
from crm_pwa.domain.week import iso_week, parse_iso_week
from crm_pwa.services.errors import Invalid


def last_full_week(today: date) -> str:
    """The ISO week that ended most recently (the one before `today`'s)."""
    return iso_week(today - timedelta(days=7))


def snapshot_as_of(week: str, today: date) -> date:
    """The day a week's snapshot is scored as of; Invalid for a bad or future week."""
    try:
        monday, sunday = parse_iso_week(week)
    except ValueError as error:
        raise Invalid(str(error), field="week") from error
    if monday > today:
        raise Invalid(f"{week} has not started yet.", field="week")
    return min(sunday, today)


def snapshot_week(*, session: Session, week: str | None = None, today: date) -> int:
    """Write the snapshot of `week` (default: the last full week); returns rows written.

    Contacts that already have a row for the week are skipped, so running it
    again, or at the same time elsewhere, writes nothing twice.
    """
    week = week or last_full_week(today)
    as_of = snapshot_as_of(week, today)
    missing = ~sa.exists().where(
        col(HealthSnapshot.contact_id) == col(Contact.id), col(HealthSnapshot.week) == week
    )
    scores: list[SnapshotScore] = []
    # Every row is scored before the first is written: on SQLite the write lock
    # is then held for the inserts only, not for the whole scoring run.
    for batch in iter_facts(session, as_of, missing, by_range=True):
        for key, facts in batch:
            health = score_relationship(facts, as_of)
            scores.append(
                SnapshotScore(key.ref, key.owner_ref, key.tier, health.score, health.band)
            )
    # Rows go in contact order, so two runs at once lock them in the same order.
    return insert_snapshots(session, week, scores, clock.now())
