"""The People page's Teams section (admins): create a team, rename it, give it a manager."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar

from crm_pwa import clock
from crm_pwa.components.field import FIELD_STYLE, TAP, labelled, text_input
from crm_pwa.components.notice import notice
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.devices import device_label
from crm_pwa.domain.people import may_manage_people
from crm_pwa.services import people, team_admin
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.people import viewer
from crm_pwa.state.session import SessionState


@dataclass
class TeamRow:
    id: str
    name: str
    managers: str
    members: str


@dataclass
class ManagerOption:
    id: str
    name: str


def _load(actor: Actor) -> tuple[list[TeamRow], list[ManagerOption]]:
    with session_scope() as session:
        teams = team_admin.list_teams(session=session, actor=actor)
        everyone = people.list_people(session=session, actor=actor, now=clock.now())
    return (
        [
            TeamRow(
                str(team.id),
                team.name,
                ", ".join(team.managers) or "No manager yet",
                f"{team.members} {'person' if team.members == 1 else 'people'}",
            )
            for team in teams
        ],
        [
            ManagerOption(str(person.id), person.name)
            for person in everyone
            if person.role == "manager" and person.active
        ],
    )


def _create(actor: Actor, name: str, device: str) -> None:
    with session_scope() as session:
        team_admin.create_team(
            session=session, actor=actor, name=name, now=clock.now(), device=device
        )


def _change(actor: Actor, form: dict[str, Any], device: str) -> None:
    manager = str(form.get("manager_id", ""))
    with session_scope() as session:
        team_admin.change_team(
            session=session,
            actor=actor,
            team_id=uuid.UUID(str(form.get("team_id", ""))),
            now=clock.now(),
            name=str(form["name"]) if "name" in form else None,
            manager_id=uuid.UUID(manager) if manager else None,
            device=device,
        )


class TeamsState(SessionState):
    teams: list[TeamRow] = []
    managers: list[ManagerOption] = []
    teams_notice: str = ""
    teams_notice_is_error: bool = False
    teams_key: int = 0

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        if may_manage_people(viewer(actor)):
            self.teams, self.managers = await asyncio.to_thread(_load, actor)
        return None

    async def _do(self, work: Any, *args: Any, done: str) -> EventSpec | list[EventSpec] | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        device = device_label(self.router.headers.user_agent)
        try:
            await asyncio.to_thread(lambda: work(actor, *args, device))
        except (ServiceError, ValueError) as refused:
            self.teams_notice = getattr(refused, "message", "Choose from the list.")
            self.teams_notice_is_error = True
            return None
        self.teams_notice = done
        self.teams_notice_is_error = False
        self.teams_key += 1
        self.teams, self.managers = await asyncio.to_thread(_load, actor)
        # The people list shows team names: it follows.
        from crm_pwa.pages.people import PeopleState

        return PeopleState.reload  # type: ignore[return-value]

    @rx.event
    async def create(self, form: dict[str, Any]) -> EventSpec | list[EventSpec] | None:
        return await self._do(_create, str(form.get("name", "")), done="Team created.")

    @rx.event
    async def change(self, form: dict[str, Any]) -> EventSpec | list[EventSpec] | None:
        return await self._do(_change, form, done="Team saved.")


def _team_item(team: ObjectVar[TeamRow]) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.text(team.name, weight="bold"),
            rx.text(team.managers, " · ", team.members, size="2", color="var(--gray-11)"),
            rx.form(
                rx.el.input(type="hidden", name="team_id", value=team.id),
                rx.hstack(
                    labelled(
                        "Name of " + team.name.to(str),
                        text_input("name", team.name, required=True, max_length=200),
                        flex="1",
                    ),
                    rx.button("Rename", type="submit", min_height=TAP, variant="soft"),
                    align="end",
                    width="100%",
                ),
                on_submit=TeamsState.change,
                reset_on_submit=False,
                width="100%",
            ),
            rx.form(
                rx.el.input(type="hidden", name="team_id", value=team.id),
                rx.hstack(
                    labelled(
                        "Manager of " + team.name.to(str),
                        rx.el.select(
                            rx.el.option("Choose a manager", value=""),
                            rx.foreach(
                                TeamsState.managers,
                                lambda m: rx.el.option(m.name, value=m.id),
                            ),
                            name="manager_id",
                            aria_label="Manager of " + team.name.to(str),
                            style=FIELD_STYLE,
                        ),
                        flex="1",
                    ),
                    rx.button("Assign", type="submit", min_height=TAP, variant="soft"),
                    align="end",
                    width="100%",
                ),
                on_submit=TeamsState.change,
                reset_on_submit=False,
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        data_team=team.name,
        padding="12px 0",
        style={"border_bottom": "1px solid var(--gray-5)", "list_style": "none"},
    )


def teams_section() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Teams", as_="h2", size="4", id="teams-heading"),
            notice(TeamsState.teams_notice, TeamsState.teams_notice_is_error),
            rx.el.ul(
                rx.foreach(TeamsState.teams, _team_item),
                key=TeamsState.teams_key,
                style={"margin": "0", "padding": "0", "width": "100%"},
            ),
            rx.form(
                rx.hstack(
                    labelled(
                        "New team's name",
                        text_input("name", required=True, max_length=200),
                        flex="1",
                    ),
                    rx.button("Create team", type="submit", min_height=TAP),
                    align="end",
                    width="100%",
                ),
                on_submit=TeamsState.create,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        aria_labelledby="teams-heading",
        on_mount=TeamsState.load,
        width="100%",
    )
