"""Invitations (an event or a campaign message) and their guest lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class Invitation(SQLModel, table=True):
    __table_args__ = (
        Index("ix_invitation_owner_created", "owner_id", "created_at"),
        Index("ix_invitation_team_created", "team_id", "created_at"),
        Index("ix_invitation_state", "state"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # Who wrote it (the Reply-To of every copy) and the team it was written for:
    # the manager of that team sees it in the team's results.
    owner_id: uuid.UUID = Field(foreign_key="user.id")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id")
    kind: str = Field(max_length=10)
    title: str = Field(max_length=200)
    message: str = Field(sa_column=Column(Text, nullable=False))
    starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    place: str = Field(default="", max_length=300)
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # draft -> sending -> sent; "mailto" or "smtp" once sending starts.
    state: str = Field(default="draft", max_length=10)
    channel: str = Field(default="", max_length=10)
    # Why the last sending run stopped short (SMTP unreachable), in words; "" when fine.
    send_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class InvitationGuest(SQLModel, table=True):
    __tablename__ = "invitation_guest"
    __table_args__ = (
        UniqueConstraint("invitation_id", "contact_id", name="uq_invitation_guest_contact"),
        # The guard's "invited to something else lately" looks up a contact's latest copy.
        Index("ix_invitation_guest_contact_sent", "contact_id", "sent_at"),
        Index("ix_invitation_guest_claim", "invitation_id", "send_claim"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    invitation_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("invitation.id", ondelete="CASCADE"), nullable=False)
    )
    contact_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    # invited -> accepted | declined -> attended; or excluded (with the guard's reason).
    status: str = Field(default="invited", max_length=10)
    excluded_reason: str = Field(default="", max_length=30)
    # The guard's words as they stood when last judged ("Low-touch, contacted 12 days ago; ...").
    reason_words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    included_by_hand: bool = Field(default=False)
    # The copy's Message-ID, the same on every attempt: a copy sent twice after a
    # crash is one message to the guest's mail program.
    message_id: str = Field(sa_column=Column(String(200), nullable=False))
    unsubscribe_token: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The sending run that holds this copy until it is sent (see services/invitation_sending.py).
    send_claim: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = Field(default=0)
    send_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The outbound e-mail logged on the contact's timeline once the copy went out.
    interaction_id: uuid.UUID | None = Field(default=None)
    responded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    unsubscribed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
