"""Page not found: says so in plain words and leads home."""

from __future__ import annotations

import reflex as rx

from crm_pwa import routes
from crm_pwa.components.field import TAP


def not_found_page() -> rx.Component:
    return rx.el.main(
        rx.vstack(
            rx.icon("map-pin-off", size=40, aria_hidden="true", color="var(--accent-11)"),
            rx.heading("Page not found", size="7", as_="h1"),
            rx.text(
                "This address leads nowhere in Rapport. It may be mistyped, or the page moved.",
                size="3",
                color="var(--gray-11)",
            ),
            rx.el.a(
                rx.icon("sun", size=20, aria_hidden="true"),
                "Go to Today",
                href=routes.TODAY,
                style={
                    "display": "flex",
                    "align_items": "center",
                    "justify_content": "center",
                    "gap": "8px",
                    "width": "100%",
                    "min_height": TAP,
                    "border_radius": "var(--radius-3)",
                    "background": "var(--accent-9)",
                    "color": "var(--accent-contrast)",
                    "font_weight": "600",
                    "text_decoration": "none",
                },
            ),
            spacing="4",
            width="100%",
            max_width="400px",
            padding="24px",
        ),
        style={
            "display": "flex",
            "justify_content": "center",
            "align_items": "center",
            "min_height": "100vh",
        },
    )
