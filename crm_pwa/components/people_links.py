"""Settings' way to the People pages: managers see their team, admins everyone and the log."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from crm_pwa import routes
from crm_pwa.components.field import TAP
from crm_pwa.state.session import SessionState


def _admin_link(label: str | Var[str], href: str) -> rx.Component:
    return rx.link(
        label, href=href, min_height=TAP, display="flex", align_items="center", weight="medium"
    )


def people_links() -> rx.Component:
    return rx.vstack(
        rx.heading("People", as_="h2", size="4"),
        _admin_link(
            rx.cond(SessionState.is_admin, "People and teams", "Your team's people"), routes.PEOPLE
        ),
        rx.cond(SessionState.is_admin, _admin_link("Audit log", routes.AUDIT)),
        spacing="2",
        width="100%",
    )
