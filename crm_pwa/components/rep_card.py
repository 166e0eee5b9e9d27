"""A rep's card on the Team page, and the trend said in words."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa.components.health_badge import health_badge

TREND_ICONS = {"up": "trending-up", "down": "trending-down", "steady": "arrow-right"}
TREND_COLOURS = {"up": "var(--grass-11)", "down": "var(--red-11)", "steady": "var(--gray-11)"}


def trend_label(trend: Var[Any]) -> rx.Component:
    """An arrow and the word: "up", "down" or "steady" (against the four weeks before)."""
    return rx.hstack(
        rx.match(
            trend,
            *(
                (key, rx.icon(icon, size=18, aria_hidden="true"))
                for key, icon in TREND_ICONS.items()
            ),
            rx.icon(TREND_ICONS["steady"], size=18, aria_hidden="true"),
        ),
        rx.text("Trend ", rx.el.strong(trend), size="2"),
        spacing="1",
        align="center",
        color=rx.match(trend, *TREND_COLOURS.items(), TREND_COLOURS["steady"]),
        data_trend=trend,
    )


def _figure(label: str, value: Var[Any]) -> rx.Component:
    return rx.vstack(
        rx.text(value, size="5", weight="bold"),
        rx.text(label, size="1", color="var(--gray-11)"),
        spacing="0",
        align="start",
    )


def rep_card(rep: ObjectVar[Any]) -> rx.Component:
    """`rep`: a RepCard from the Team page state."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    rx.link(
                        rep["name"],
                        href=rep["href"],
                        # The whole card is the tap target: the link's box covers it.
                        class_name="rep-card-link",
                    ),
                    size="4",
                    as_="h3",
                ),
                rx.spacer(),
                health_badge(rep["band"], rep["score"]),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            trend_label(rep["trend"]),
            rx.hstack(
                _figure("at risk", rep["at_risk"]),
                _figure("overdue follow-ups", rep["overdue"]),
                _figure("open complaints", rep["complaints"]),
                spacing="5",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        aria_label=rep["name"],
        role="group",
        data_rep_card="",
        width="100%",
        position="relative",
    )
