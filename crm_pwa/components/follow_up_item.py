"""A promised next step: on the card with done / snooze / reschedule, on Today as a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx
from reflex.event import EventSpec, EventType
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import FIELD_STYLE, TAP, labelled, submit_button, text_input
from crm_pwa.components.outbox_script import FOLLOW_UP_CHANGE_JS, UNDO_BAR_ID, UNDO_JS
from crm_pwa.components.section import card_link, folded
from crm_pwa.components.when import due_label
from crm_pwa.domain.due import attention_day, is_overdue, snooze_choices, undone_state


@dataclass(frozen=True)
class FollowUpView:
    id: str
    title: str
    due_on: str
    due: str
    overdue: bool
    # The days "Tomorrow" and "Next week" snooze to, and the first day a chosen
    # snooze may end, all from the rep's own today.
    snooze_tomorrow: str = ""
    snooze_next_week: str = ""
    # What Undo after "Done" puts back.
    undo_status: str = "open"
    undo_until: str = ""
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
    tomorrow, next_week = snooze_choices(today)
    undo_status, undo_until = undone_state(status, snooze_until, today)
    return FollowUpView(
        id=follow_up_id,
        title=title,
        due_on=day.isoformat(),
        # Snoozed with no end date: nothing to count down to.
        due="Snoozed" if status == "snoozed" and snooze_until is None else due_label(day, today),
        overdue=is_overdue(status, due_on, snooze_until, today),
        snooze_tomorrow=tomorrow.isoformat(),
        snooze_next_week=next_week.isoformat(),
        undo_status=undo_status,
        undo_until=undo_until.isoformat() if undo_until else "",
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


def _change(item: ObjectVar[FollowUpView], status: str, until: str | Var[str] = "") -> EventSpec:
    # Var.create turns the f-string into a JS concatenation; a plain string would
    # carry the item's variable name instead of its id inside a list. The title
    # goes through JSON.stringify: it may hold quotes.
    undo = f"{{status: '{item.undo_status}', snooze_until: '{item.undo_until}'}}"
    return rx.call_script(
        Var.create(
            f"{FOLLOW_UP_CHANGE_JS}('{item.id}', '{status}', '{until}', {undo}, "
            f"{item.title.to_string()})"
        )
    )


# Reads the chosen day from the snooze form next to the button.
_CHOSEN_DAY_JS = 'document.querySelector(`[data-follow-up="${id}"] [name=snooze_until]`).value'


def _snooze_to_date(item: ObjectVar[FollowUpView]) -> rx.Component:
    return folded(
        "Snooze to a date",
        rx.hstack(
            labelled(
                "Snooze until",
                rx.el.input(
                    name="snooze_until",
                    type="date",
                    min=item.snooze_tomorrow,
                    default_value=item.snooze_next_week,
                    style=FIELD_STYLE,
                ),
                flex="1",
            ),
            rx.button(
                "Snooze",
                type="button",
                on_click=rx.call_script(
                    Var.create(
                        f"((id) => {FOLLOW_UP_CHANGE_JS}"
                        f"(id, 'snoozed', {_CHOSEN_DAY_JS}, null, ''))('{item.id}')"
                    )
                ),
                aria_label=f"Snooze to the chosen date: {item.title}",
                min_height=TAP,
                size="3",
            ),
            align="end",
            spacing="2",
            width="100%",
        ),
        weight="500",
    )


def undo_bar() -> rx.Component:
    """ "Marked done: … Undo", shown for a few seconds by the script that marked it done.

    Outside the list: the done follow-up leaves the card as soon as it is saved.
    """
    return rx.el.div(
        rx.text(data_undo_text="", size="2", flex="1", min_width="0"),
        rx.button(
            "Undo",
            type="button",
            on_click=rx.call_script(UNDO_JS),
            min_height=TAP,
            size="3",
            variant="soft",
        ),
        id=UNDO_BAR_ID,
        role="status",
        hidden=True,
        style={
            "display": "flex",
            "align_items": "center",
            "gap": "12px",
            "padding": "8px 12px",
            "border_radius": "10px",
            "background": "var(--gray-3)",
            "width": "100%",
            "box_sizing": "border-box",
        },
    )


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
                "Tomorrow",
                on_click=_change(item, "snoozed", item.snooze_tomorrow),
                aria_label=f"Snooze until tomorrow: {item.title}",
                min_height=TAP,
                size="3",
                variant="soft",
            ),
            rx.button(
                "Next week",
                on_click=_change(item, "snoozed", item.snooze_next_week),
                aria_label=f"Snooze until next week: {item.title}",
                min_height=TAP,
                size="3",
                variant="soft",
            ),
            spacing="2",
            wrap="wrap",
            padding_top="8px",
        ),
        _snooze_to_date(item),
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
