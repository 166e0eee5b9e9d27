"""The way to the Import page: from Settings, and in place of an empty contact book."""

from __future__ import annotations

import reflex as rx

from crm_pwa import routes
from crm_pwa.components.field import TAP


def import_link(label: str) -> rx.Component:
    # A plain anchor styled as a button: it navigates, it does not act.
    return rx.el.a(
        rx.icon("file-up", size=20, aria_hidden="true"),
        label,
        href=routes.IMPORT,
        style={
            "display": "flex",
            "align_items": "center",
            "justify_content": "center",
            "gap": "8px",
            "min_height": TAP,
            "width": "100%",
            "border_radius": "8px",
            "background": "var(--accent-9)",
            "color": "var(--accent-contrast)",
            "font_weight": "600",
            "text_decoration": "none",
        },
    )


def empty_book() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Your contact book is empty. Bring in the people already in your phone, "
            "Google Contacts, Outlook or a spreadsheet.",
            color="var(--gray-11)",
        ),
        import_link("Import your contacts"),
        spacing="3",
        width="100%",
        padding_y="12px",
    )
