"""The audit log (admins): who did what, when, from which device; newest first.

Filtered by a person (what they did and what was done to them) and by action.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar

from crm_pwa import clock, routes
from crm_pwa.components.field import FIELD_STYLE, TAP, choice, labelled
from crm_pwa.components.shell import back_link, loading_rows, page_shell
from crm_pwa.components.when import moment_label
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import local_day
from crm_pwa.domain.people import may_manage_people
from crm_pwa.pages.people_rows import TeamOption
from crm_pwa.services import people
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit_log import Entry, read_audit
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.people import viewer
from crm_pwa.state.session import SessionState

# What each action is called on the page; other actions (exports, erasures, handovers
# as they land) show their own name until they are given words here.
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "person_added": "Added a person",
    "person_changed": "Changed a person",
    "person_deactivated": "Deactivated a person",
    "person_reactivated": "Reactivated a person",
    "reset_link_issued": "Issued a reset link",
    "password_set": "Set a password from a link",
    "password_changed": "Changed their password",
    "team_created": "Created a team",
    "team_renamed": "Renamed a team",
    "team_manager_assigned": "Assigned a team's manager",
}
ACTION_CHOICES = [("", "Every action"), *ACTION_LABELS.items()]


@dataclass
class EntryRow:
    id: str
    when: str
    who: str
    what: str
    whom: str
    device: str


def _row(entry: Entry, today: date, time_zone: str) -> EntryRow:
    return EntryRow(
        id=str(entry.id),
        when=moment_label(entry.at, today, time_zone),
        who=entry.actor_name or "Someone not signed in",
        what=ACTION_LABELS.get(entry.action, entry.action),
        whom=entry.object_name,
        device=entry.device or "unknown device",
    )


def _load(actor: Actor, person: str, action: str) -> tuple[list[EntryRow], list[TeamOption]]:
    now = clock.now()
    with session_scope() as session:
        entries = read_audit(
            session=session,
            actor=actor,
            person_id=uuid.UUID(person) if person else None,
            action=action,
        )
        everyone = people.list_people(session=session, actor=actor, now=now)
    today = local_day(now, actor.time_zone)
    return (
        [_row(entry, today, actor.time_zone) for entry in entries],
        [TeamOption(str(person.id), person.name) for person in everyone],
    )


class AuditState(SessionState):
    allowed: bool = True
    loaded: bool = False
    entries: list[EntryRow] = []
    people_options: list[TeamOption] = []
    person: str = ""
    action: str = ""
    error: str = ""

    async def _show(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.allowed = may_manage_people(viewer(actor))
        if not self.allowed:
            return None
        try:
            self.entries, self.people_options = await asyncio.to_thread(
                _load, actor, self.person, self.action
            )
        except (ServiceError, ValueError):
            self.error = "Choose a person and an action from the lists."
            return None
        self.error = ""
        self.loaded = True
        return None

    @rx.event
    async def load(self) -> EventSpec | None:
        self.person = ""
        self.action = ""
        return await self._show()

    @rx.event
    async def filter(self, form: dict[str, Any]) -> EventSpec | None:
        self.person = str(form.get("person", ""))
        self.action = str(form.get("action", ""))
        return await self._show()


def _entry(row: ObjectVar[EntryRow]) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong(row.who),
            " · ",
            row.what,
            rx.cond(row.whom != "", rx.fragment(": ", row.whom)),
        ),
        rx.text(row.when, " · ", row.device, size="2", color="var(--gray-11)"),
        data_audit_entry=row.what,
        padding="10px 0",
        style={"border_bottom": "1px solid var(--gray-5)", "list_style": "none"},
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                labelled(
                    "Person",
                    rx.el.select(
                        rx.el.option("Everyone", value=""),
                        rx.foreach(
                            AuditState.people_options,
                            lambda option: rx.el.option(option.name, value=option.id),
                        ),
                        name="person",
                        aria_label="Person",
                        default_value=AuditState.person,
                        style=FIELD_STYLE,
                    ),
                    flex="1",
                ),
                choice("Action", "action", ACTION_CHOICES, AuditState.action, flex="1"),
                width="100%",
            ),
            rx.button("Show", type="submit", min_height=TAP, size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=AuditState.filter,
        reset_on_submit=False,
        width="100%",
    )


def audit_page() -> rx.Component:
    return page_shell(
        "Audit log",
        rx.cond(
            AuditState.allowed,
            rx.cond(
                AuditState.loaded,
                rx.vstack(
                    _filters(),
                    rx.cond(
                        AuditState.error != "",
                        rx.callout(AuditState.error, color_scheme="red", role="alert"),
                    ),
                    rx.heading("Newest first", as_="h2", size="4", id="audit-heading"),
                    rx.cond(
                        AuditState.entries.length() > 0,  # type: ignore[attr-defined]
                        rx.el.ul(
                            rx.foreach(AuditState.entries, _entry),
                            aria_labelledby="audit-heading",
                            style={"margin": "0", "padding": "0", "width": "100%"},
                        ),
                        rx.text("Nothing recorded matches.", color="var(--gray-11)"),
                    ),
                    spacing="4",
                    width="100%",
                ),
                loading_rows(),
            ),
            rx.callout(
                "Not allowed: the audit log is for admins.",
                icon="lock",
                color_scheme="red",
                role="alert",
            ),
        ),
        back=back_link("Back to people", routes.PEOPLE),
    )
