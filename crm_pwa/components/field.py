"""Form fields sized for thumbs: 48 px high, 16 px text (no zoom on focus), a visible label."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

TAP = "48px"

FIELD_STYLE = {
    "min_height": TAP,
    "width": "100%",
    "font_size": "16px",
    "padding": "0 10px",
    "border": "1px solid var(--gray-8)",
    "border_radius": "6px",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "box_sizing": "border-box",
}


def labelled(label: str | Var[str], field: rx.Component, **props: Any) -> rx.Component:
    """The label wraps its field, so the field's accessible name is the label's text."""
    return rx.el.label(
        rx.text(label, size="2", weight="medium"),
        field,
        display="flex",
        flex_direction="column",
        gap="4px",
        min_width="0",
        **props,
    )


def text_input(name: str, default: str | Var[str] = "", **props: Any) -> rx.Component:
    return rx.el.input(name=name, default_value=default, style=FIELD_STYLE, **props)


def password_input(label: str, name: str, autocomplete: str) -> rx.Component:
    """A required password field; `autocomplete` tells the phone's password manager
    whether to fill the saved one (current-password) or offer a new one (new-password)."""
    return labelled(
        label,
        text_input(name, type="password", required=True, auto_complete=autocomplete),
        width="100%",
    )


def text_box(name: str, default: str | Var[str] = "", rows: int = 3, **props: Any) -> rx.Component:
    return rx.el.textarea(
        name=name,
        default_value=default,
        rows=str(rows),
        style={**FIELD_STYLE, "padding": "10px", "font_family": "inherit"},
        **props,
    )


def submit_button(label: str, **props: Any) -> rx.Component:
    return rx.button(label, type="submit", min_height=TAP, size="3", **props)


def choice(
    label: str, name: str, options: list[tuple[str, str]], default: str | Var[str], **props: Any
) -> rx.Component:
    """A labelled native select: the phone's own picker is the easiest to tap.

    The select also carries the label as aria-label: named through the wrapping
    label alone, its name would run on into the text of every option.
    """
    return labelled(
        label,
        rx.el.select(
            *(rx.el.option(text, value=value) for value, text in options),
            name=name,
            default_value=default,
            aria_label=label,
            style=FIELD_STYLE,
        ),
        **props,
    )


def field_problem(show: Var[bool], message: Var[str]) -> rx.Component:
    """Why the field above was refused, right under it, read out when it appears."""
    return rx.cond(
        show & (message != ""),
        rx.text(message, color="var(--red-11)", weight="bold", size="2", role="alert"),
    )
