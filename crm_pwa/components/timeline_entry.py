"""One interaction in the relationship's diary."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars.object import ObjectVar

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


def interaction_heading(kind: str, direction: str) -> str:
    who = "they started" if direction == "inbound" else "we started"
    return f"{KIND_LABELS.get(kind, kind)} · {who}"


def timeline_entry(item: ObjectVar[InteractionView]) -> rx.Component:
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
        style={
            "list_style": "none",
            "padding": "10px 0 10px 12px",
            "border_left": "3px solid var(--accent-7)",
            "display": "flex",
            "flex_direction": "column",
            "gap": "4px",
        },
    )
