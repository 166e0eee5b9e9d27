"""Devices that receive reminders."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class PushSubscription(SQLModel, table=True):
    # One browser shared by several reps holds one endpoint for each of them:
    # a rep who turns reminders on never takes them away from another.
    __table_args__ = (
        UniqueConstraint("user_id", "endpoint", name="uq_pushsubscription_user_endpoint"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    endpoint: str = Field(sa_column=Column(String(2048), nullable=False))
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The push service said 429 with Retry-After: nothing goes to it before then.
    retry_not_before: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
