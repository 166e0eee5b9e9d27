"""Team: relationship health of a manager's reps."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import routes
from crm_pwa.components.shell import page_shell
from crm_pwa.state.session import SessionState


class TeamState(SessionState):
    allowed: bool = False

    @rx.event
    def load(self) -> EventSpec | None:
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.SIGN_IN)
        self.allowed = actor.sees_team
        return None


def team_page() -> rx.Component:
    return page_shell(
        "Team",
        rx.cond(
            TeamState.allowed,
            rx.text("Your team's relationships."),
            rx.callout(
                "Not allowed: the team page is for managers.",
                icon="lock",
                color_scheme="red",
                role="alert",
            ),
        ),
    )
