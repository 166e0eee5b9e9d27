"""The audit trail: who did what to which object, and when.

Entries name objects by id only; a contact's personal data never goes in here,
so erasing a person leaves the trail intact and harmless.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class AuditEvent(SQLModel, table=True):
    __table_args__ = (
        Index("ix_auditevent_object", "object_type", "object_id"),
        # The admin's log reads newest first.
        Index("ix_auditevent_at", "at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=50)
    object_type: str = Field(max_length=30)
    object_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Which browser or app did it, as domain/devices.py names it ("Chrome on Android").
    device: str = Field(default="", max_length=200)
