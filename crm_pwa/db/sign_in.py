"""The brake on password guessing and the devices that signed in before.

A streak row counts the sign-in attempts made against one key ("account:<email>",
"client:<address>" or "device:<hash>"). Every change to it is a compare-and-set
on `version`, so parallel attempts each see the count the one before left.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, case, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, delete, select, update

from crm_pwa.db.columns import UTCDateTime, new_id
from crm_pwa.db.user import AuthToken
from crm_pwa.domain.sign_in_limits import Streak


class SignInStreak(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=400)
    attempts: int = Field(default=0)
    version: int = Field(default=0)
    last_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class KnownDevice(SQLModel, table=True):
    """A browser or app that signed in to this account before; only a hash of its id is kept."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    device_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def read_streak(session: Session, key: str) -> tuple[Streak, int]:
    """The streak of `key` and its version (a fresh row is made for a new key)."""
    table = SignInStreak.__table__  # type: ignore[attr-defined]
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    session.exec(insert(table).values(key=key, attempts=0, version=0).on_conflict_do_nothing())
    attempts, last_at, blocked_until, version = session.exec(
        select(
            SignInStreak.attempts,
            SignInStreak.last_at,
            SignInStreak.blocked_until,
            SignInStreak.version,
        ).where(SignInStreak.key == key)
    ).one()
    return Streak(attempts, last_at, blocked_until), version


def write_streak(session: Session, key: str, version: int, streak: Streak) -> bool:
    """Stores `streak` if nobody changed the row since `version` was read."""
    done = session.exec(
        update(SignInStreak)
        .where(col(SignInStreak.key) == key, col(SignInStreak.version) == version)
        .values(
            attempts=streak.attempts,
            last_at=streak.last_at,
            blocked_until=streak.blocked_until,
            version=version + 1,
        )
    )
    return bool(done.rowcount == 1)


def give_back_attempt(session: Session, key: str, free: int) -> None:
    """Uncounts one attempt: its password was right, or it was never checked."""
    session.exec(
        update(SignInStreak)
        .where(col(SignInStreak.key) == key, col(SignInStreak.attempts) > 0)
        .values(
            attempts=col(SignInStreak.attempts) - 1,
            version=col(SignInStreak.version) + 1,
            blocked_until=case(
                (col(SignInStreak.attempts) - 1 < free, None),
                else_=col(SignInStreak.blocked_until),
            ),
        )
    )


def end_streak(session: Session, key: str) -> None:
    session.exec(delete(SignInStreak).where(col(SignInStreak.key) == key))


def find_device(session: Session, user_id: uuid.UUID, device_hash: str) -> KnownDevice | None:
    return session.exec(
        select(KnownDevice).where(
            KnownDevice.user_id == user_id, KnownDevice.device_hash == device_hash
        )
    ).first()


def forget_old_sign_in_rows(
    session: Session,
    *,
    now: datetime,
    quiet_since: datetime,
    idle_since: datetime,
    unused_since: datetime,
) -> int:
    """Deletes dead tokens, streaks quiet since `quiet_since` and devices unused since
    `unused_since`; returns how many rows went."""
    gone = session.exec(
        delete(SignInStreak).where(
            or_(col(SignInStreak.last_at).is_(None), col(SignInStreak.last_at) < quiet_since),
            or_(col(SignInStreak.blocked_until).is_(None), col(SignInStreak.blocked_until) < now),
        )
    ).rowcount
    gone += session.exec(
        delete(AuthToken).where(
            or_(
                col(AuthToken.expires_at) <= now,
                col(AuthToken.last_used_at) < idle_since,
                # A revoked token is kept a while so its holder is told the session ended.
                col(AuthToken.revoked_at) < quiet_since,
            )
        )
    ).rowcount
    gone += session.exec(
        delete(KnownDevice).where(col(KnownDevice.last_used_at) < unused_since)
    ).rowcount
    return int(gone)
