"""A promised next step: on the card with done / snooze / reschedule, on Today as a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx
from reflex.event import EventSpec, EventType
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import TAP, labelled, submit_button, text_input
from crm_pwa.components.outbox_script import FOLLOW_UP_CHANGE_JS
from crm_pwa.components.section import card_link, folded
from crm_pwa.components.when import due_label
from crm_pwa.domain.due import attention_day, is_overdue


@dataclass(frozen=True)
class FollowUpView:
    id: str
    title: str
    due_on: str
    due: str
    overdue: bool
    contact_name: str = ""
    href: str = ""


def follow_up_view(
    *,
    follow_up_id: str,
    title: str,
    status: str,
    due_on: date,
    snooze_until: date | None,
    today: date,
    contact_name: str = "",
    href: str = "",
) -> FollowUpView:
    # A snooze past the due date moves when the follow-up asks for attention.
    day = attention_day(due_on, snooze_until)
    return FollowUpView(
        id=follow_up_id,
        title=title,
        due_on=day.isoformat(),
        # Snoozed with no end date: nothing to count down to.
        due="Snoozed" if status == "snoozed" and snooze_until is None else due_label(day, today),
        overdue=is_overdue(status, due_on, snooze_until, today),
        contact_name=contact_name,
        href=href,
    )


def overdue_mark(overdue: Var[bool]) -> rx.Component:
    # Said in words as well as colour: "Overdue" must not depend on telling red apart.
    return rx.cond(
        overdue,
        rx.badge("Overdue", color_scheme="red", variant="solid", size="2"),
    )


def _due_line(item: ObjectVar[FollowUpView]) -> rx.Component:
    return rx.text(
        item.due,
        size="2",
        weight=rx.cond(item.overdue, "bold", "regular"),
        color=rx.cond(item.overdue, "var(--red-11)", "var(--gray-11)"),
    )


def _frame(item: ObjectVar[FollowUpView], *children: rx.Component) -> rx.Component:
    return rx.box(
        *children,
        key=item.id,
        data_follow_up=item.id,
        data_overdue=item.overdue,
        padding="12px",
        border_radius="10px",
        border=rx.cond(item.overdue, "2px solid var(--red-9)", "1px solid var(--gray-6)"),
        background=rx.cond(item.overdue, "var(--red-2)", "var(--color-panel-solid)"),
        width="100%",
    )


def _change(item: ObjectVar[FollowUpView], status: str) -> EventSpec:
    # Var.create turns the f-string into a JS concatenation; a plain string would
    # carry the item's variable name instead of its id inside a list.
    return rx.call_script(Var.create(f"{FOLLOW_UP_CHANGE_JS}('{item.id}', '{status}')"))


def follow_up_item(
    item: ObjectVar[FollowUpView], on_reschedule: EventType[dict[str, Any]]
) -> rx.Component:
    """On the contact card. Done and snooze go through the outbox so they work offline."""
    return _frame(
        item,
        rx.hstack(
            rx.text(item.title, weight="bold", size="3", flex="1", min_width="0"),
            overdue_mark(item.overdue),
            align="start",
            width="100%",
        ),
        _due_line(item),
        rx.text(size="2", color="var(--amber-11)", data_follow_up_status="", role="status"),
        rx.hstack(
            rx.button(
                rx.icon("check", size=18, aria_hidden="true"),
                "Done",
                on_click=_change(item, "done"),
                aria_label=f"Done: {item.title}",
                min_height=TAP,
                size="3",
            ),
            rx.button(
                "Snooze 1 day",
                on_click=_change(item, "snoozed"),
                aria_label=f"Snooze 1 day: {item.title}",
                min_height=TAP,
                size="3",
                variant="soft",
            ),
            spacing="2",
            wrap="wrap",
            padding_top="8px",
        ),
        folded(
            "Reschedule",
            rx.form(
                rx.el.input(type="hidden", name="follow_up_id", value=item.id),
                rx.hstack(
                    labelled(
                        "New date",
                        text_input("due_on", item.due_on, type="date", required=True),
                        flex="1",
                    ),
                    submit_button("Move", aria_label=f"Move to the new date: {item.title}"),
                    align="end",
                    spacing="2",
                    width="100%",
                ),
                on_submit=on_reschedule,
                reset_on_submit=False,
            ),
            weight="500",
        ),
    )


def follow_up_link(item: ObjectVar[FollowUpView]) -> rx.Component:
    """On Today: who, what was promised, and when; tapping opens the contact."""
    return card_link(
        _frame(
            item,
            rx.hstack(
                rx.text(item.contact_name, weight="bold", size="3", flex="1", min_width="0"),
                overdue_mark(item.overdue),
                align="start",
                width="100%",
            ),
            rx.text(item.title, size="3"),
            _due_line(item),
        ),
        href=item.href,
    )
