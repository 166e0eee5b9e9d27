"""A note as a phone or a page sends it, read so that a bad next step never costs the note.

A note whose follow-up is malformed (no date, an empty title, a broken
character) is read without it: the note is kept and the follow-up alone is
refused, in words the rep can act on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator

from crm_pwa.domain.input_rules import check_text
from crm_pwa.domain.note_rules import (
    RuleError,
    check_direction,
    check_kind,
    check_sentiment,
    clean_summary,
    clean_title,
)
from crm_pwa.services.fields import AwareMoment, Day, Text

NEXT_STEP_NOT_SAVED = "The note is saved, but not its next step: {reason}"
# What a rep is told for a next-step field the phone sent malformed.
_MALFORMED_NEXT_STEP = {
    "due_on": "its date is missing or not a date.",
    "title": "it says nothing.",
    "id": "its id is not valid.",
}


class FollowUpIn(BaseModel):
    id: uuid.UUID | None = None
    due_on: Day
    title: Text

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return clean_title(value)


class NoteIn(BaseModel):
    id: uuid.UUID | None = None
    contact_id: uuid.UUID
    kind: Text
    direction: Text = "outbound"
    occurred_at: AwareMoment
    summary: Text
    sentiment: Text = "neutral"
    follow_up: FollowUpIn | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return check_kind(value)

    # A phone that leaves a choice unset sends null: that means the default.
    @field_validator("direction", "sentiment", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name is not None:
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("direction")
    @classmethod
    def _direction_known(cls, value: str) -> str:
        return check_direction(value)

    @field_validator("sentiment")
    @classmethod
    def _sentiment_known(cls, value: str) -> str:
        return check_sentiment(value)

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return clean_summary(value)


def describe_validation_error(error: ValidationError) -> str:
    """One readable line: the rule's own words where a rule refused, else field: message."""
    parts: list[str] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RuleError):
            parts.append(cause.message)
            continue
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


def echoed_id(value: Any) -> str | None:
    """An id as the client sent it, so it can match the answer to its record; None when
    it is not text or could not be sent back (a broken character cannot be encoded)."""
    if not isinstance(value, str):
        return None
    try:
        return check_text("id", value)
    except RuleError:
        return None


@dataclass(frozen=True, slots=True)
class RefusedFollowUp:
    """A next step refused on its own: its id as sent, and why in plain words."""

    id: str | None
    error: str


@dataclass(frozen=True, slots=True)
class ReadNote:
    note: NoteIn
    refused_follow_up: RefusedFollowUp | None = None


def _next_step_reason(error: ValidationError) -> str:
    reasons: list[str] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RuleError):
            reasons.append(cause.message)
            continue
        field = str(item["loc"][1]) if len(item["loc"]) > 1 else ""
        reasons.append(_MALFORMED_NEXT_STEP.get(field, "it is not a next step the app knows."))
    return " ".join(dict.fromkeys(reasons))


def refused_next_step(follow_up_id: str | None, reason: str) -> RefusedFollowUp:
    return RefusedFollowUp(follow_up_id, NEXT_STEP_NOT_SAVED.format(reason=reason))


def read_note(item: dict[str, Any]) -> ReadNote:
    """The note, with its follow-up refused on its own when only the follow-up is bad.

    Raises ValidationError when the note itself is bad.
    """
    try:
        return ReadNote(NoteIn.model_validate(item))
    except ValidationError as error:
        problems = error.errors(include_url=False)
        if not problems or any(problem["loc"][:1] != ("follow_up",) for problem in problems):
            raise
        follow_up = item.get("follow_up")
        raw_id = follow_up.get("id") if isinstance(follow_up, dict) else None
        note = NoteIn.model_validate({**item, "follow_up": None})
        return ReadNote(note, refused_next_step(echoed_id(raw_id), _next_step_reason(error)))
