"""What makes an entry in a contact's timeline, and the words it is shown with.

The timeline is the relationship's diary: besides the interactions it keeps what
came of them. One rule here, used by the services (which entry a change makes)
and by the API and the card (how the entry reads).
"""

from __future__ import annotations

from collections.abc import Mapping

COMPLAINT_OPENED = "complaint_opened"
COMPLAINT_RESOLVED = "complaint_resolved"
STAGE_CHANGED = "stage_changed"
OPPORTUNITY_WON = "opportunity_won"
OPPORTUNITY_LOST = "opportunity_lost"
CONVERTED = "converted"
FOLLOW_UP_DONE = "follow_up_done"
FOLLOW_UP_SNOOZED = "follow_up_snoozed"
FOLLOW_UP_REOPENED = "follow_up_reopened"
TIER_CHANGED = "tier_changed"
KIND_CHANGED = "kind_changed"

EVENT_KINDS = (
    COMPLAINT_OPENED,
    COMPLAINT_RESOLVED,
    STAGE_CHANGED,
    OPPORTUNITY_WON,
    OPPORTUNITY_LOST,
    CONVERTED,
    FOLLOW_UP_DONE,
    FOLLOW_UP_SNOOZED,
    FOLLOW_UP_REOPENED,
    TIER_CHANGED,
    KIND_CHANGED,
)

# The contact's own fields whose edits are part of its story.
EDIT_EVENTS = {"tier": TIER_CHANGED, "kind": KIND_CHANGED}

_FOLLOW_UP_EVENTS = {
    "done": FOLLOW_UP_DONE,
    "snoozed": FOLLOW_UP_SNOOZED,
    "open": FOLLOW_UP_REOPENED,
}


# A complaint can run to pages; its timeline line names it, the card holds the rest.
MAX_TITLE_SHOWN = 120


def _short(text: str) -> str:
    return text if len(text) <= MAX_TITLE_SHOWN else text[: MAX_TITLE_SHOWN - 1].rstrip() + "…"


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def stage_event(old_stage: str, new_stage: str) -> str | None:
    """The entry an opportunity's move makes: won and lost say so; no move, no entry."""
    if old_stage == new_stage:
        return None
    if new_stage == "won":
        return OPPORTUNITY_WON
    if new_stage == "lost":
        return OPPORTUNITY_LOST
    return STAGE_CHANGED


def follow_up_event(status: str) -> str:
    return _FOLLOW_UP_EVENTS[status]


def describe(kind: str, detail: Mapping[str, str]) -> str:
    """The line the timeline shows for one entry, in the words a rep uses."""
    title = _short(detail.get("title", ""))
    old, new = _label(detail.get("from", "")), _label(detail.get("to", ""))
    words = {
        COMPLAINT_OPENED: f"Complaint opened: {title}",
        COMPLAINT_RESOLVED: f"Complaint resolved: {title}",
        STAGE_CHANGED: f"Opportunity “{title}” moved from {old} to {new}",
        OPPORTUNITY_WON: f"Opportunity “{title}” won",
        OPPORTUNITY_LOST: f"Opportunity “{title}” lost",
        CONVERTED: f"Became a customer: won “{title}”",
        FOLLOW_UP_DONE: f"Follow-up done: {title}",
        FOLLOW_UP_SNOOZED: f"Follow-up snoozed until {detail.get('until', '')}: {title}",
        FOLLOW_UP_REOPENED: f"Follow-up reopened: {title}",
        TIER_CHANGED: f"Tier changed from {old} to {new}",
        KIND_CHANGED: f"Changed from {old} to {new}",
    }
    return words.get(kind, _label(kind))
