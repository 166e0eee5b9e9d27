"""A complaint: open ones can be resolved from the card; waiting too long is flagged in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventType
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import labelled, submit_button, text_box
from crm_pwa.components.section import card_link


@dataclass(frozen=True)
class ComplaintView:
    id: str
    summary: str
    opened: str
    # "Waiting 3 days" once an open complaint is older than the grace period, else "".
    waiting: str
    resolved: bool
    resolution: str
    contact_name: str = ""
    href: str = ""


def waiting_label(days_open: int, stale: bool) -> str:
    return f"Waiting {days_open} days" if stale else ""


def _waiting_mark(item: ObjectVar[ComplaintView]) -> rx.Component:
    return rx.cond(
        item.waiting != "",
        rx.badge(item.waiting, color_scheme="red", variant="solid", size="2"),
    )


def complaint_item(
    item: ObjectVar[ComplaintView], on_resolve: EventType[dict[str, Any]]
) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(item.summary, weight="bold", size="3", flex="1", min_width="0"),
            _waiting_mark(item),
            align="start",
            width="100%",
        ),
        rx.text(item.opened, size="2", color="var(--gray-11)"),
        rx.cond(
            item.resolved,
            rx.text(
                rx.text.strong("Resolved: "), item.resolution, size="2", color="var(--grass-11)"
            ),
            rx.form(
                rx.el.input(type="hidden", name="complaint_id", value=item.id),
                labelled(
                    "Resolution",
                    text_box("resolution", rows=2, required=True, placeholder="What was done"),
                ),
                submit_button("Resolve", aria_label=f"Resolve: {item.summary}", margin_top="8px"),
                on_submit=on_resolve,
                reset_on_submit=True,
                padding_top="8px",
            ),
        ),
        key=item.id,
        data_complaint=item.id,
        padding="12px",
        border_radius="10px",
        border=rx.cond(item.waiting != "", "2px solid var(--red-9)", "1px solid var(--gray-6)"),
        width="100%",
    )


def complaint_link(item: ObjectVar[ComplaintView]) -> rx.Component:
    """On Today: an open complaint that has waited too long, opening its contact."""
    return card_link(
        rx.box(
            rx.hstack(
                rx.text(item.contact_name, weight="bold", size="3", flex="1", min_width="0"),
                _waiting_mark(item),
                align="start",
                width="100%",
            ),
            rx.text(item.summary, size="3"),
            padding="12px",
            border_radius="10px",
            border="2px solid var(--red-9)",
            width="100%",
        ),
        key=item.id,
        href=item.href,
    )
