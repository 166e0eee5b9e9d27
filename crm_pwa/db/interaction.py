"""What happened with a contact: interactions, follow-ups, complaints, opportunities."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Numeric, Text, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


def _contact_fk() -> Column[uuid.UUID]:
    # History goes with its contact: a privacy erase deletes it in one statement.
    return Column(Uuid(), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)


class Interaction(SQLModel, table=True):
    # The sentiment is in the index so that scoring everyone reads the index alone.
    __table_args__ = (
        Index("ix_interaction_contact_occurred", "contact_id", "occurred_at", "sentiment"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(sa_column=_contact_fk())
    author_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=10)
    direction: str = Field(default="outbound", max_length=10)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    sentiment: str = Field(default="neutral", max_length=10)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class FollowUp(SQLModel, table=True):
    __table_args__ = (
        Index("ix_followup_owner_status_due", "owner_id", "status", "due_on"),
        Index("ix_followup_contact", "contact_id"),
        Index("ix_followup_reminder_claim", "reminder_claim"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(sa_column=_contact_fk())
    owner_id: uuid.UUID = Field(foreign_key="user.id")
    interaction_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("interaction.id", ondelete="SET NULL")),
    )
    title: str = Field(max_length=300)
    due_on: date
    status: str = Field(default="open", max_length=10)
    snooze_until: date | None = Field(default=None)
    done_on: date | None = Field(default=None)
    # The time of the latest change as the phone saw it: offline updates that
    # arrive late must not overwrite a newer one.
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_reminded_on: date | None = Field(default=None)
    # The reminder run that claimed today's reminder and has not yet sent it: a
    # run that dies and is retried sends what it claimed, and nothing else.
    reminder_claim: str | None = Field(default=None, max_length=64)


class Complaint(SQLModel, table=True):
    __table_args__ = (Index("ix_complaint_contact", "contact_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(sa_column=_contact_fk())
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolution: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Opportunity(SQLModel, table=True):
    __table_args__ = (Index("ix_opportunity_contact", "contact_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(sa_column=_contact_fk())
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=300)
    stage: str = Field(default="lead", max_length=12)
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    expected_close: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
