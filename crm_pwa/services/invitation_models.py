"""What the invitation services take and answer: the same models for the API and the pages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from crm_pwa.domain import contact_rules
from crm_pwa.domain import invitation_message as words
from crm_pwa.services.fields import AwareMoment, Text


class InvitationFilters(BaseModel):
    """Which contacts an invitation is for; every filter given must hold (tags: any of them)."""

    kind: Text | None = None
    tier: Text | None = None
    tags: list[Text] = Field(default_factory=list, max_length=20)
    owner_id: uuid.UUID | None = None
    band: Text | None = None
    company: Text | None = Field(default=None, max_length=200)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        return None if value is None else contact_rules.clean_kind(value)

    @field_validator("tier")
    @classmethod
    def _tier(cls, value: str | None) -> str | None:
        return None if value is None else contact_rules.clean_tier(value)

    @field_validator("band")
    @classmethod
    def _band(cls, value: str | None) -> str | None:
        return None if value is None else contact_rules.clean_band(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return contact_rules.clean_tags(value)


class InvitationIn(BaseModel):
    kind: Text
    title: Text
    message: Text
    starts_at: AwareMoment | None = None
    place: Text = ""
    filters: InvitationFilters = Field(default_factory=InvitationFilters)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return words.check_kind(value)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return words.clean_title(value)

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return words.clean_message(value)

    @field_validator("place")
    @classmethod
    def _place(cls, value: str) -> str:
        return words.clean_place(value)


class InvitationPublic(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    owner_name: str
    team_id: uuid.UUID | None
    kind: str
    title: str
    message: str
    starts_at: datetime | None
    place: str
    filters: dict[str, Any]
    # draft (guest list open), sending, sent (every copy out or given up on).
    state: str
    # "smtp" or "mailto" once sending started, else "".
    channel: str
    send_error: str
    created_at: datetime
    sent_at: datetime | None


class GuestLine(BaseModel):
    """One person on the guest list, invited or not, with the guard's words."""

    contact_id: uuid.UUID
    name: str
    company: str
    email: str
    owner_id: uuid.UUID
    # invited, excluded, accepted, declined or attended.
    status: str
    # The guard's reason code (crm_pwa/domain/invitation_guard.py), None when it had none;
    # kept for a person included by hand.
    reason: str | None
    reason_words: str
    # Whether the sender may include this excluded person by hand.
    overridable: bool
    included_by_hand: bool
    sent_at: datetime | None
    # Sending gave up on this copy (the server refused it): the words why; "" otherwise.
    send_error: str
    # The prepared message for the phone's mail app, while it is still to send by hand.
    mailto: str | None = None


class InvitationPreview(BaseModel):
    invitation: InvitationPublic
    invited: list[GuestLine]
    excluded: list[GuestLine]
    # How many are excluded for each reason code.
    excluded_by_reason: dict[str, int]


class SendProgress(BaseModel):
    invitation_id: uuid.UUID
    state: str
    channel: str
    # Copies to send (the invited), how many went out, how many were given up on.
    total: int
    sent: int
    failed: int
    pending: int
    error: str


class FollowUpOffer(BaseModel):
    """A follow-up the UI offers after an event: `add_follow_up` with these values."""

    contact_id: uuid.UUID
    name: str
    title: str
    due_on: date


class Attendance(BaseModel):
    attended: list[GuestLine]
    follow_ups: list[FollowUpOffer]


class Results(BaseModel):
    """Counts for one invitation, or summed over a rep's or a team's."""

    invitations: int
    invited: int
    sent: int
    excluded: int
    excluded_by_reason: dict[str, int]
    accepted: int
    declined: int
    attended: int
    unsubscribed: int


class RepResults(BaseModel):
    owner_id: uuid.UUID
    name: str
    results: Results


class UnsubscribeView(BaseModel):
    """What the unsubscribe page says: whose invitations stop, and whether they have."""

    invitation_title: str
    sender_name: str
    unsubscribed: bool
