"""A link that looks like the page's main button: it navigates, it does not act."""

from __future__ import annotations

import reflex as rx

from crm_pwa.components.field import TAP

BUTTON_LINK_STYLE = {
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
}


def button_link(label: str, icon: str, href: str) -> rx.Component:
    return rx.el.a(
        rx.icon(icon, size=20, aria_hidden="true"), label, href=href, style=BUTTON_LINK_STYLE
    )
