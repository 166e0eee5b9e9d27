"""The contact's diary of what came of its interactions (see crm_pwa.domain.timeline)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class TimelineEvent(SQLModel, table=True):
    __tablename__ = "timeline_event"
    __table_args__ = (
        Index("ix_timeline_event_contact_at", "contact_id", "at"),
        # One entry per change: a change replayed (an offline outbox sent twice)
        # carries the same key and adds nothing.
        UniqueConstraint("contact_id", "key", name="uq_timeline_event_contact_key"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    actor_id: uuid.UUID = Field(foreign_key="user.id")
    kind: str = Field(max_length=30)
    key: str = Field(sa_column=Column(String(200), nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
