"""Weekly health snapshots: one row per contact per ISO week."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class HealthSnapshot(SQLModel, table=True):
    # The unique pair is what keeps two workers from writing a week twice.
    __table_args__ = (
        UniqueConstraint("contact_id", "week", name="uq_healthsnapshot_contact_week"),
        Index("ix_healthsnapshot_owner_week", "owner_id", "week"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    owner_id: uuid.UUID = Field(foreign_key="user.id")
    week: str = Field(max_length=8)
    tier: str = Field(max_length=10)
    score: int | None = Field(default=None)
    band: str = Field(max_length=10)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
