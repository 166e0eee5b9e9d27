"""A page's one-line answer to what the user just did: green when done, red when refused."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var


def notice(text: Var[str] | str, is_error: Var[bool] | bool) -> rx.Component:
    text = text if isinstance(text, Var) else Var.create(text)
    return rx.cond(
        text != "",
        rx.cond(
            is_error,
            rx.callout(text, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
            rx.callout(text, icon="check", color_scheme="green", role="status", width="100%"),
        ),
    )
