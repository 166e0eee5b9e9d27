"""People: everyone's role, team, last activity and devices; an admin adds people here.

An admin sees everyone and adds a person, whose one-time sign-in link is shown
once to pass on. A manager sees their own team, read-only. A rep is refused.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar

from crm_pwa import clock, routes
from crm_pwa.components.field import FIELD_STYLE, TAP, choice, labelled, text_input
from crm_pwa.components.notice import notice
from crm_pwa.components.shell import loading_rows, page_shell
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import local_day
from crm_pwa.domain.devices import device_label
from crm_pwa.domain.people import may_list_people, may_manage_people
from crm_pwa.pages.people_rows import PersonRow, TeamOption, person_row
from crm_pwa.pages.teams_section import TeamsState, teams_section
from crm_pwa.services import people, team_admin
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.people import viewer
from crm_pwa.state.session import SessionState

ROLE_CHOICES = [("rep", "Rep"), ("manager", "Manager"), ("admin", "Admin")]


def _load(actor: Actor) -> tuple[list[PersonRow], list[TeamOption]]:
    now = clock.now()
    with session_scope() as session:
        found = people.list_people(session=session, actor=actor, now=now)
        teams = team_admin.list_teams(session=session, actor=actor)
    today = local_day(now, actor.time_zone)
    return (
        [person_row(person, today, actor.time_zone) for person in found],
        [TeamOption(str(team.id), team.name) for team in teams],
    )


def _add(actor: Actor, form: dict[str, Any], device: str) -> tuple[str, str]:
    team = str(form.get("team_id", ""))
    with session_scope() as session:
        added = people.add_person(
            session=session,
            actor=actor,
            name=str(form.get("name", "")),
            email=str(form.get("email", "")),
            role=str(form.get("role", "rep")),
            team_id=uuid.UUID(team) if team else None,
            now=clock.now(),
            device=device,
        )
    return added.person.name, added.link.path


class PeopleState(SessionState):
    allowed: bool = True
    can_manage: bool = False
    loaded: bool = False
    people: list[PersonRow] = []
    team_options: list[TeamOption] = []
    notice: str = ""
    notice_is_error: bool = False
    # The last link made here, shown once: the admin copies it and passes it on.
    link: str = ""
    link_for: str = ""
    form_key: int = 0

    async def _refresh(self, actor: Actor) -> None:
        self.people, self.team_options = await asyncio.to_thread(_load, actor)
        self.loaded = True

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.allowed = may_list_people(viewer(actor))
        self.can_manage = may_manage_people(viewer(actor))
        self.link = ""
        self.notice = ""
        if self.allowed:
            await self._refresh(actor)
        return None

    @rx.event
    async def reload(self) -> EventSpec | None:
        """Fresh rows after a change elsewhere on the page; the link shown stays."""
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        await self._refresh(actor)
        return None

    @rx.event
    async def add(self, form: dict[str, Any]) -> EventSpec | list[EventSpec] | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        try:
            name, path = await asyncio.to_thread(
                _add, actor, form, device_label(self.router.headers.user_agent)
            )
        except (ServiceError, ValueError) as refused:
            self.notice = getattr(refused, "message", "Choose a team from the list.")
            self.notice_is_error = True
            return None
        self.link = self.router.url.origin + path
        self.link_for = name
        self.notice = f"{name} added. Pass on the link below: it works once, for 72 hours."
        self.notice_is_error = False
        self.form_key += 1
        await self._refresh(actor)
        return TeamsState.load  # type: ignore[return-value]


def _person_item(row: ObjectVar[PersonRow]) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.hstack(
                    rx.text(row.name, weight="bold"),
                    rx.spacer(),
                    rx.badge(row.role_label, variant="soft", size="2"),
                    width="100%",
                    align="center",
                ),
                rx.text(row.team, " · ", row.email, size="2", color="var(--gray-11)"),
                rx.text(row.last_active, " · ", row.devices, size="2", color="var(--gray-11)"),
                spacing="1",
                width="100%",
            ),
            href=row.href,
            underline="none",
            color="inherit",
            display="block",
            padding="12px 4px",
            # A deactivated person's row says "Deactivated" in words; a faded row
            # fell below WCAG AA contrast (3.4:1).
            min_height=TAP,
        ),
        data_person=row.email,
        style={"border_bottom": "1px solid var(--gray-5)", "list_style": "none"},
    )


def link_box(link: rx.Var[str] | str, label: rx.Var[str] | str) -> rx.Component:
    """The one-time link in a read-only field, selected on focus for copying."""
    link = link if isinstance(link, rx.Var) else rx.Var.create(link)
    return rx.cond(
        link != "",
        labelled(
            label,
            rx.el.input(
                value=link,
                read_only=True,
                on_focus=rx.call_script("document.activeElement.select()"),
                data_one_time_link="",
                style=FIELD_STYLE,
            ),
            width="100%",
        ),
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Add a person", as_="h2", size="4"),
            labelled("Name", text_input("name", required=True, auto_complete="off"), width="100%"),
            labelled(
                "Email",
                text_input("email", type="email", required=True, auto_complete="off"),
                width="100%",
            ),
            rx.hstack(
                choice("Role", "role", ROLE_CHOICES, "rep", flex="1"),
                labelled(
                    "Team",
                    rx.el.select(
                        rx.el.option("No team", value=""),
                        rx.foreach(
                            PeopleState.team_options,
                            lambda team: rx.el.option(team.name, value=team.id),
                        ),
                        name="team_id",
                        aria_label="Team",
                        style=FIELD_STYLE,
                    ),
                    flex="1",
                ),
                width="100%",
            ),
            rx.button("Add and make a sign-in link", type="submit", min_height=TAP, size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=PeopleState.add,
        reset_on_submit=False,
        key=PeopleState.form_key,
        width="100%",
    )


def _people_view() -> rx.Component:
    return rx.vstack(
        notice(PeopleState.notice, PeopleState.notice_is_error),
        link_box(PeopleState.link, "One-time sign-in link for " + PeopleState.link_for),
        rx.cond(
            PeopleState.can_manage,
            rx.link(
                "Audit log",
                href=routes.AUDIT,
                min_height=TAP,
                display="flex",
                align_items="center",
                weight="medium",
            ),
            rx.text(
                "Your team, read-only: an admin adds and changes people.", color="var(--gray-11)"
            ),
        ),
        rx.heading("Everyone", as_="h2", size="4", id="people-heading"),
        rx.el.ul(
            rx.foreach(PeopleState.people, _person_item),
            aria_labelledby="people-heading",
            style={"margin": "0", "padding": "0", "width": "100%"},
        ),
        rx.cond(PeopleState.can_manage, _add_form()),
        rx.cond(PeopleState.can_manage, teams_section()),
        spacing="4",
        width="100%",
    )


def people_page() -> rx.Component:
    return page_shell(
        "People",
        rx.cond(
            PeopleState.allowed,
            rx.cond(PeopleState.loaded, _people_view(), loading_rows()),
            rx.callout(
                "Not allowed: people are managed by an admin.",
                icon="lock",
                color_scheme="red",
                role="alert",
            ),
        ),
    )
