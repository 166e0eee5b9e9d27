"""Invitations: the events and campaigns a rep (a manager: the team) sent or is writing,
and what came of them, per rep."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar
from sqlmodel import Session

from crm_pwa import routes
from crm_pwa.components.button_link import button_link
from crm_pwa.components.field import TAP
from crm_pwa.components.section import card_link
from crm_pwa.components.shell import back_link, loading_rows, page_shell
from crm_pwa.pages.invitation_rows import Count, InvitationRow, RepCounts, result_counts
from crm_pwa.services.actor import Actor
from crm_pwa.services.invitation_results import rep_results, team_results
from crm_pwa.services.invitations import list_invitations
from crm_pwa.state.session import SessionState, in_database


def _load(
    session: Session, actor: Actor
) -> tuple[list[InvitationRow], list[RepCounts], list[Count]]:
    rows = [
        InvitationRow.of(invitation, actor.time_zone)
        for invitation in list_invitations(session=session, actor=actor)
    ]
    per_rep = [
        RepCounts(name=rep.name, counts=result_counts(rep.results))
        for rep in rep_results(session=session, actor=actor)
    ]
    team = result_counts(team_results(session=session, actor=actor)) if actor.sees_team else []
    return rows, per_rep, team


class InvitationsState(SessionState):
    invitations: list[InvitationRow] = []
    per_rep: list[RepCounts] = []
    team: list[Count] = []
    loaded: bool = False

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.invitations, self.per_rep, self.team = await in_database(
            lambda session: _load(session, actor)
        )
        self.loaded = True
        return None


def counts_list(counts: rx.Var[Any] | list[Count]) -> rx.Component:
    """Counts as a description list: each number beside what it counts."""
    return rx.el.dl(
        rx.foreach(
            counts,
            lambda count: rx.box(
                rx.el.dt(count.label),
                rx.el.dd(rx.text.strong(count.value), margin="0"),
                display="flex",
                justify_content="space-between",
                gap="12px",
                padding="6px 0",
                border_bottom="1px solid var(--gray-5)",
                data_count=count.label,
            ),
        ),
        margin="0",
        width="100%",
    )


def _invitation_item(row: ObjectVar[InvitationRow]) -> rx.Component:
    return rx.el.li(
        card_link(
            rx.vstack(
                rx.hstack(
                    rx.text(row.title, weight="bold", overflow_wrap="anywhere"),
                    rx.spacer(),
                    rx.badge(row.state_label, variant="soft", size="2"),
                    width="100%",
                    align="center",
                ),
                rx.text(row.kind, " · ", row.when, size="2", color="var(--gray-11)"),
                rx.cond(
                    SessionState.is_manager,
                    rx.text("By ", row.owner_name, size="2", color="var(--gray-11)"),
                ),
                spacing="1",
                width="100%",
            ),
            href=row.href,
            padding="12px 4px",
            min_height=TAP,
        ),
        data_invitation=row.title,
        style={"border_bottom": "1px solid var(--gray-5)", "list_style": "none"},
    )


def _rep_results(rep: ObjectVar[RepCounts]) -> rx.Component:
    return rx.vstack(
        rx.heading(rep.name, as_="h3", size="3"),
        counts_list(rep.counts),
        spacing="1",
        width="100%",
    )


def _results() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Results", as_="h2", size="4"),
            rx.cond(
                SessionState.is_manager,
                rx.vstack(
                    rx.heading("The team", as_="h3", size="3"),
                    counts_list(InvitationsState.team),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.foreach(InvitationsState.per_rep, _rep_results),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _view() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Invite customers to an event or send a campaign message. Before anything is "
            "sent you see who will not be invited, and why: the relationship decides.",
            color="var(--gray-11)",
        ),
        button_link("New invitation", "plus", routes.INVITATION_NEW),
        rx.heading("Your invitations", as_="h2", size="4", id="invitations-heading"),
        rx.cond(
            InvitationsState.invitations,
            rx.el.ul(
                rx.foreach(InvitationsState.invitations, _invitation_item),
                aria_labelledby="invitations-heading",
                style={"margin": "0", "padding": "0", "width": "100%"},
            ),
            rx.text("None yet.", color="var(--gray-11)"),
        ),
        _results(),
        spacing="4",
        width="100%",
    )


def invitations_page() -> rx.Component:
    return page_shell(
        "Invitations",
        rx.cond(InvitationsState.loaded, _view(), loading_rows()),
        back=back_link("Back to settings", routes.SETTINGS),
    )
