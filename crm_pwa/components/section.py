"""The parts every section of a page shares: a heading, a folded form, an error line."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from crm_pwa.components.field import TAP


def problem(message: Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def card_link(*children: rx.Component, href: str | Var[str], **props: Any) -> rx.Component:
    """A whole card that opens another page, its text keeping its colour and no underline."""
    return rx.link(
        *children,
        href=href,
        display="block",
        color="var(--gray-12)",
        underline="none",
        width="100%",
        **props,
    )


def section(title: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.heading(title, size="4", as_="h2"),
        *children,
        style={"display": "flex", "flex_direction": "column", "gap": "10px", "width": "100%"},
    )


def folded(
    label: str,
    form: rx.Component,
    *,
    weight: str = "600",
    aria_label: str | Var[str] | None = None,
) -> rx.Component:
    """A form folded under a tappable line, so the card stays short on a phone.

    In a list of items the line is lighter (`weight="500"`) and, being the same
    word on every item, needs an `aria_label` naming its item.
    """
    named: dict[str, str | Var[str]] = {} if aria_label is None else {"aria_label": aria_label}
    return rx.el.details(
        rx.el.summary(
            label,
            style={"min_height": TAP, "display": "flex", "align_items": "center"},
            cursor="pointer",
            color="var(--accent-11)",
            font_weight=weight,
            **named,
        ),
        form,
    )
