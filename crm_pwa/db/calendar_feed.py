"""The secret address of each user's follow-up calendar feed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"

    # One feed per user: making a new address replaces the old one.
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    # Only a SHA-256 of the secret in the address: the table cannot open anyone's feed.
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
