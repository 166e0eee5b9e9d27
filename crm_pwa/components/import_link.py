"""The way to the Import page: from Settings, and in place of an empty contact book."""

from __future__ import annotations

import reflex as rx

from crm_pwa import routes
from crm_pwa.components.button_link import button_link


def import_link(label: str) -> rx.Component:
    return button_link(label, "file-up", routes.IMPORT)


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
