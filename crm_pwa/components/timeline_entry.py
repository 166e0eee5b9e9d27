"""One entry in the relationship's diary: an interaction, or what came of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa.components.when import moment_label
from crm_pwa.services.contact_card import ContactCard

KIND_LABELS = {
    "meeting": "Meeting",
    "call": "Call",
    "email": "Email",
    "message": "Message",
    "visit": "Visit",
    "note": "Note",
}
SENTIMENT_LABELS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
_SENTIMENT_COLOURS = {"positive": "grass", "negative": "red"}


@dataclass(frozen=True)
class InteractionView:
    id: str
    # "Meeting · we started", "Call · they started"
    heading: str
    sentiment: str
    when: str
    author: str
    summary: str
    # "event" for a complaint, stage, follow-up or edit entry; "interaction" otherwise.
    source: str = "interaction"


def interaction_heading(kind: str, direction: str) -> str:
    who = "they started" if direction == "inbound" else "we started"
    return f"{KIND_LABELS.get(kind, kind)} · {who}"


def timeline_views(card: ContactCard, today: date, time_zone: str) -> list[InteractionView]:
    """Interactions and the entries of what came of them, newest first."""
    dated = [
        (
            line.occurred_at,
            InteractionView(
                id=str(line.id),
                heading=interaction_heading(line.kind, line.direction),
                sentiment=line.sentiment,
                when=moment_label(line.occurred_at, today, time_zone),
                author=line.author_name,
                summary=line.summary,
            ),
        )
        for line in card.interactions
    ] + [
        (
            event.at,
            InteractionView(
                id=str(event.id),
                heading=event.text,
                sentiment="",
                when=moment_label(event.at, today, time_zone),
                author=event.actor_name,
                summary="",
                source="event",
            ),
        )
        for event in card.events
    ]
    return [view for _, view in sorted(dated, key=lambda pair: pair[0], reverse=True)]


_ENTRY_STYLE = {
    "list_style": "none",
    "padding": "10px 0 10px 12px",
    "border_left": "3px solid var(--accent-7)",
    "display": "flex",
    "flex_direction": "column",
    "gap": "4px",
}


def _event_entry(item: ObjectVar[InteractionView]) -> rx.Component:
    return rx.el.li(
        rx.text(item.heading, weight="bold", size="2", overflow_wrap="anywhere"),
        rx.text(item.when, " · ", item.author, size="1", color="var(--gray-11)"),
        key=item.id,
        data_event=item.id,
        style={**_ENTRY_STYLE, "border_left": "3px solid var(--gray-7)"},
    )


def _interaction_entry(item: ObjectVar[InteractionView]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(item.heading, weight="bold", size="2", flex="1", min_width="0"),
            rx.badge(
                rx.match(item.sentiment, *SENTIMENT_LABELS.items(), item.sentiment),
                color_scheme=rx.match(item.sentiment, *_SENTIMENT_COLOURS.items(), "gray"),
                size="1",
            ),
            align="center",
            width="100%",
        ),
        rx.text(item.when, " · ", item.author, size="1", color="var(--gray-11)"),
        rx.text(item.summary, size="3", white_space="pre-wrap", overflow_wrap="anywhere"),
        key=item.id,
        data_interaction=item.id,
        style=_ENTRY_STYLE,
    )


def timeline_entry(item: ObjectVar[InteractionView]) -> rx.Component:
    return rx.cond(item.source == "event", _event_entry(item), _interaction_entry(item))
