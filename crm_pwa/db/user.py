"""People who sign in: users, their teams and their tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, col, select

from crm_pwa.db.columns import UTCDateTime, new_id
from crm_pwa.domain.money import DEFAULT_CURRENCY


class Team(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    # ISO 4217: how the team's opportunity amounts are shown (crm_pwa/domain/money.py).
    currency: str = Field(default=DEFAULT_CURRENCY, max_length=3)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class User(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=500)
    role: str = Field(max_length=20)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id", index=True)
    time_zone: str = Field(default="UTC", max_length=64)
    # False until the rep (or whoever created the account) chose a zone: the first
    # sign-in then takes the phone's zone instead of leaving UTC in place silently.
    time_zone_chosen: bool = Field(default=False)
    reminder_time: time = Field(default=time(9, 0))
    quiet_start: time = Field(default=time(20, 0))
    quiet_end: time = Field(default=time(8, 0))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Moved at sign-in and with the token's hourly step (services/auth.py): the
    # People page shows it; None means never signed in.
    last_active_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AuthToken(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # Only a SHA-256 of the token is kept: a stolen database holds no usable token.
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Moved forward at most once an hour (see services/auth.py): idle tokens expire.
    last_used_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    label: str = Field(default="", max_length=200)


class SignInLink(SQLModel, table=True):
    """A one-time link that lets a person set a password and sign in (docs/people.md).

    Like a token, only its SHA-256 is kept; it works once, until `expires_at`,
    and issuing a newer one for the same person revokes it.
    """

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=20)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


def team_currency(session: Session, user_id: uuid.UUID) -> str:
    """The currency of `user_id`'s team; the default for someone in no team."""
    query = select(Team.currency).join(User, col(User.team_id) == Team.id)
    found = session.exec(query.where(User.id == user_id)).first()
    return found or DEFAULT_CURRENCY
