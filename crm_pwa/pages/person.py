"""One person, as an admin runs them: role and team, a reset link, deactivate or reactivate.

A manager opening one of their own team sees the same facts without the controls.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock, routes
from crm_pwa.components.field import FIELD_STYLE, TAP, choice, labelled
from crm_pwa.components.notice import notice
from crm_pwa.components.shell import back_link, loading_rows, page_shell
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import local_day
from crm_pwa.domain.devices import device_label
from crm_pwa.domain.people import may_manage_people
from crm_pwa.pages.people import ROLE_CHOICES, link_box
from crm_pwa.pages.people_rows import PersonRow, TeamOption, person_row
from crm_pwa.services import people, team_admin
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.people import viewer
from crm_pwa.state.session import SessionState

EMPTY = PersonRow("", "", "", "", "", "", "", "", True, "", "", "")


def _load(actor: Actor, person_id: uuid.UUID) -> tuple[PersonRow, list[TeamOption]]:
    now = clock.now()
    with session_scope() as session:
        person = people.get_person(session=session, actor=actor, person_id=person_id, now=now)
        teams = team_admin.list_teams(session=session, actor=actor)
    row = person_row(person, local_day(now, actor.time_zone), actor.time_zone)
    return row, [TeamOption(str(team.id), team.name) for team in teams]


def _change(actor: Actor, person_id: uuid.UUID, change: dict[str, Any], device: str) -> None:
    with session_scope() as session:
        people.change_person(
            session=session,
            actor=actor,
            person_id=person_id,
            now=clock.now(),
            device=device,
            **change,
        )


def _reset_link(actor: Actor, person_id: uuid.UUID, device: str) -> str:
    with session_scope() as session:
        link = people.issue_reset_link(
            session=session, actor=actor, person_id=person_id, now=clock.now(), device=device
        )
    return link.path


class PersonState(SessionState):
    found: bool = False
    error: str = ""
    can_manage: bool = False
    person: PersonRow = EMPTY
    team_options: list[TeamOption] = []
    notice: str = ""
    notice_is_error: bool = False
    link: str = ""
    form_key: int = 0

    def _person_id(self) -> uuid.UUID | None:
        # Reflex installs the route's [person_id] as a state var at runtime.
        try:
            return uuid.UUID(str(getattr(self, "person_id", "")))
        except ValueError:
            return None

    async def _show(self, actor: Actor) -> None:
        person_id = self._person_id()
        try:
            if person_id is None:
                raise ValueError
            self.person, self.team_options = await asyncio.to_thread(_load, actor, person_id)
        except (ServiceError, ValueError) as refused:
            self.found = False
            self.error = getattr(refused, "message", "Person not found.")
            return
        self.found = True
        self.error = ""
        self.form_key += 1

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.can_manage = may_manage_people(viewer(actor))
        self.notice = ""
        self.link = ""
        await self._show(actor)
        return None

    async def _apply(self, change: dict[str, Any], done: str) -> EventSpec | None:
        actor = await self._actor_off_loop()
        person_id = self._person_id()
        if actor is None or person_id is None:
            return self._to_sign_in()
        device = device_label(self.router.headers.user_agent)
        try:
            await asyncio.to_thread(_change, actor, person_id, change, device)
        except ServiceError as refused:
            self.notice, self.notice_is_error = refused.message, True
            return None
        self.notice, self.notice_is_error = done, False
        await self._show(actor)
        return None

    @rx.event
    async def save(self, form: dict[str, Any]) -> EventSpec | None:
        team = str(form.get("team_id", ""))
        try:
            team_id = uuid.UUID(team) if team else None
        except ValueError:
            self.notice, self.notice_is_error = "Choose a team from the list.", True
            return None
        change = {"role": str(form.get("role", "")), "team_id": team_id, "clear_team": not team}
        return await self._apply(change, "Role and team saved.")

    @rx.event
    async def deactivate(self) -> EventSpec | None:
        done = "Deactivated: signed out everywhere, reminders stopped. Their contacts stay."
        return await self._apply({"active": False}, done)

    @rx.event
    async def reactivate(self) -> EventSpec | None:
        return await self._apply(
            {"active": True}, "Reactivated: issue a reset link if they need a password."
        )

    @rx.event
    async def make_reset_link(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        person_id = self._person_id()
        if actor is None or person_id is None:
            return self._to_sign_in()
        device = device_label(self.router.headers.user_agent)
        try:
            path = await asyncio.to_thread(_reset_link, actor, person_id, device)
        except ServiceError as refused:
            self.notice, self.notice_is_error = refused.message, True
            return None
        self.link = self.router.url.origin + path
        self.notice = "Reset link made: pass it on. It works once, for 72 hours."
        self.notice_is_error = False
        return None


def _controls() -> rx.Component:
    person = PersonState.person
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.hstack(
                    choice("Role", "role", ROLE_CHOICES, person.role, flex="1"),
                    labelled(
                        "Team",
                        rx.el.select(
                            rx.el.option("No team", value=""),
                            rx.foreach(
                                PersonState.team_options,
                                lambda team: rx.el.option(team.name, value=team.id),
                            ),
                            name="team_id",
                            default_value=person.team_id,
                            aria_label="Team",
                            style=FIELD_STYLE,
                        ),
                        flex="1",
                    ),
                    width="100%",
                ),
                rx.button("Save role and team", type="submit", min_height=TAP, size="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=PersonState.save,
            reset_on_submit=False,
            key=PersonState.form_key,
            width="100%",
        ),
        rx.heading("Password", as_="h2", size="4"),
        rx.button(
            "Make a password reset link",
            on_click=PersonState.make_reset_link,
            disabled=~person.active,
            variant="soft",
            min_height=TAP,
            size="3",
        ),
        link_box(PersonState.link, "One-time reset link for " + person.name),
        rx.heading("Access", as_="h2", size="4"),
        rx.cond(
            person.active,
            rx.button(
                "Deactivate " + person.name,
                on_click=PersonState.deactivate,
                color_scheme="red",
                variant="soft",
                min_height=TAP,
                size="3",
            ),
            rx.button(
                "Reactivate " + person.name,
                on_click=PersonState.reactivate,
                min_height=TAP,
                size="3",
            ),
        ),
        rx.text(
            "Deactivating signs them out on every device and stops their reminders at once. "
            "Their contacts and history stay.",
            size="2",
            color="var(--gray-11)",
        ),
        spacing="3",
        width="100%",
    )


def _facts() -> rx.Component:
    person = PersonState.person
    return rx.vstack(
        rx.text(person.email),
        rx.text(person.role_label, " · ", person.team),
        rx.text(person.last_active, " · ", person.devices, color="var(--gray-11)"),
        # Team no longer lists someone deactivated; their page is where the book moves on.
        rx.cond(
            ~person.active,
            rx.link(
                "Hand over their book",
                href=person.book_href,
                min_height=TAP,
                display="flex",
                align_items="center",
            ),
        ),
        spacing="1",
        width="100%",
    )


def person_page() -> rx.Component:
    return page_shell(
        rx.cond(PersonState.found, PersonState.person.name, "Person"),
        rx.cond(
            PersonState.found,
            rx.vstack(
                notice(PersonState.notice, PersonState.notice_is_error),
                _facts(),
                rx.cond(PersonState.can_manage, _controls()),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                PersonState.error != "",
                rx.callout(PersonState.error, icon="lock", color_scheme="red", role="alert"),
                loading_rows(),
            ),
        ),
        back=back_link("Back to people", routes.PEOPLE),
    )
