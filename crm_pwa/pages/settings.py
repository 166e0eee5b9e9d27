"""Settings: the signed-in account and its sessions."""

from __future__ import annotations

import reflex as rx

from crm_pwa.components.shell import page_shell
from crm_pwa.state.session import SessionState


def settings_page() -> rx.Component:
    return page_shell(
        "Settings",
        rx.vstack(
            rx.text("Signed in as ", rx.text.strong(SessionState.user_name)),
            rx.button(
                "Sign out",
                on_click=SessionState.sign_out,
                size="3",
                min_height="48px",
                width="100%",
                variant="soft",
            ),
            rx.button(
                "Sign out on every device",
                on_click=SessionState.sign_out_everywhere,
                size="3",
                min_height="48px",
                width="100%",
                color_scheme="red",
                variant="soft",
            ),
            spacing="3",
            width="100%",
        ),
    )
