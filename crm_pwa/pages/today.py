"""Today: what needs the rep's attention now."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import routes
from crm_pwa.components.shell import page_shell
from crm_pwa.state.session import SessionState


class TodayState(SessionState):
    @rx.event
    def load(self) -> EventSpec | None:
        if self._actor() is None:
            return rx.redirect(routes.SIGN_IN)
        return None


def today_page() -> rx.Component:
    return page_shell(
        "Today",
        rx.vstack(
            rx.text("Hello, ", SessionState.user_name, size="4"),
            rx.text("Nothing needs you right now.", color="var(--gray-11)"),
            spacing="3",
        ),
    )
