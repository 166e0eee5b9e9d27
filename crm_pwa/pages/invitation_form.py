"""A new invitation: an event (date and place) or a campaign, its message, who it is for.

Saving writes a draft and opens its preview; nothing is sent from here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import reflex as rx
from pydantic import ValidationError
from reflex.event import EventSpec

from crm_pwa import clock, routes
from crm_pwa.components.contact_row import KIND_LABELS, TIER_LABELS
from crm_pwa.components.field import FIELD_STYLE, labelled, submit_button, text_box, text_input
from crm_pwa.components.health_badge import BAND_LABELS
from crm_pwa.components.notice import notice
from crm_pwa.components.shell import back_link, page_shell
from crm_pwa.domain.contact_rules import BANDS, KINDS, TIERS
from crm_pwa.domain.days import zone
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.invitation_models import InvitationFilters, InvitationIn
from crm_pwa.services.invitations import create_invitation
from crm_pwa.services.note_input import describe_validation_error
from crm_pwa.services.rep_page import people_in_view
from crm_pwa.state.session import SessionState, in_database

DEFAULT_MESSAGE = (
    "Dear {first_name},\n\nWe would be glad to see you and your colleagues from {company}.\n\n"
    "Best regards,\n{rep_name}"
)
PLACEHOLDER_HINT = (
    "{first_name}, {company} and {rep_name} are filled in for each guest: "
    "the guest's first name, their company, and your name."
)


def _starts_at(form: dict[str, Any], time_zone: str) -> datetime | None:
    """The event's start as typed (the rep's own clock), as an instant; None when left empty."""
    typed = str(form.get("starts_at", "")).strip()
    if not typed:
        return None
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=zone(time_zone))
    except ValueError as error:
        raise ValueError("Give the date and time as the picker offers them.") from error


def _invitation_in(form: dict[str, Any], time_zone: str) -> InvitationIn:
    """The form's strings as the invitation service takes them; a filter left at "Any" is none."""

    def chosen(name: str) -> str | None:
        return str(form.get(name, "")).strip() or None

    owner = chosen("owner_id")
    kind = str(form.get("kind", "event"))
    return InvitationIn(
        kind=kind,
        title=str(form.get("title", "")),
        message=str(form.get("message", "")),
        starts_at=_starts_at(form, time_zone) if kind == "event" else None,
        place=str(form.get("place", "")) if kind == "event" else "",
        filters=InvitationFilters(
            kind=chosen("contact_kind"),
            tier=chosen("tier"),
            band=chosen("band"),
            company=chosen("company"),
            tags=[tag for tag in str(form.get("tags", "")).split(",") if tag.strip()],
            owner_id=uuid.UUID(owner) if owner else None,
        ),
    )


class InvitationFormState(SessionState):
    kind: str = "event"
    # [id, name] of each person whose contacts a manager may invite.
    owners: list[list[str]] = []
    problem: str = ""

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.kind = "event"
        self.problem = ""
        if actor.sees_team:
            people = await in_database(lambda session: people_in_view(session, actor))
            self.owners = [[str(person.id), person.name] for person in people]
        else:
            self.owners = []
        return None

    @rx.event
    def choose_kind(self, value: str) -> None:
        self.kind = value

    @rx.event
    async def save(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        try:
            invitation_in = _invitation_in(form, actor.time_zone)
            invitation_id = await in_database(
                lambda session: str(
                    create_invitation(
                        session=session, actor=actor, invitation_in=invitation_in, now=clock.now()
                    ).invitation.id
                )
            )
        except ValidationError as refused:
            self.problem = describe_validation_error(refused)
            return None
        except ServiceError as refused:
            self.problem = refused.message
            return None
        except ValueError as refused:
            self.problem = str(refused)
            return None
        self.problem = ""
        return rx.redirect(routes.invitation(invitation_id))


def _any(label: str, name: str, options: list[tuple[str, str]]) -> rx.Component:
    return labelled(
        label,
        rx.el.select(
            rx.el.option("Any", value=""),
            *(rx.el.option(text, value=value) for value, text in options),
            name=name,
            default_value="",
            aria_label=label,
            style=FIELD_STYLE,
        ),
        flex="1 1 140px",
    )


def _event_fields() -> rx.Component:
    return rx.cond(
        InvitationFormState.kind == "event",
        rx.flex(
            labelled(
                "Date and time",
                text_input("starts_at", type="datetime-local", required=True),
                flex="1 1 200px",
            ),
            labelled("Place", text_input("place", auto_complete="off"), flex="1 1 200px"),
            gap="12px",
            wrap="wrap",
            width="100%",
        ),
    )


def _who() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.heading("Who to invite", as_="h2", size="4")),
        rx.text(
            "Every filter you set must hold. Leave one at Any to not filter by it.",
            color="var(--gray-11)",
        ),
        rx.flex(
            _any("Contact kind", "contact_kind", [(k, KIND_LABELS[k]) for k in KINDS]),
            _any("Tier", "tier", [(t, TIER_LABELS[t]) for t in TIERS]),
            _any("Health", "band", [(b, BAND_LABELS[b]) for b in BANDS]),
            rx.cond(
                InvitationFormState.owners,
                labelled(
                    "Owner",
                    rx.el.select(
                        rx.el.option("Anyone in the team", value=""),
                        rx.foreach(
                            InvitationFormState.owners,
                            lambda person: rx.el.option(person[1], value=person[0]),
                        ),
                        name="owner_id",
                        default_value="",
                        aria_label="Owner",
                        style=FIELD_STYLE,
                    ),
                    flex="1 1 140px",
                ),
            ),
            gap="12px",
            wrap="wrap",
            width="100%",
        ),
        labelled(
            "Tags (any of them, separated by commas)",
            text_input("tags", auto_complete="off"),
            width="100%",
        ),
        labelled("Company", text_input("company", auto_complete="off"), width="100%"),
        style={
            "border": "none",
            "padding": "0",
            "margin": "0",
            "display": "flex",
            "flex_direction": "column",
            "gap": "12px",
            "width": "100%",
            "min_width": "0",
        },
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            labelled(
                "Kind",
                rx.el.select(
                    rx.el.option("Event (workshop, roadshow, dinner)", value="event"),
                    rx.el.option("Campaign message", value="campaign"),
                    name="kind",
                    value=InvitationFormState.kind,
                    on_change=InvitationFormState.choose_kind,
                    aria_label="Kind",
                    style=FIELD_STYLE,
                ),
                width="100%",
            ),
            labelled(
                "Title", text_input("title", required=True, auto_complete="off"), width="100%"
            ),
            _event_fields(),
            labelled(
                "Message",
                text_box("message", DEFAULT_MESSAGE, rows=7, aria_describedby="placeholder-hint"),
                width="100%",
            ),
            rx.text(PLACEHOLDER_HINT, id="placeholder-hint", size="2", color="var(--gray-11)"),
            _who(),
            notice(InvitationFormState.problem, True),
            submit_button("Preview who is invited", width="100%"),
            rx.text("Nothing is sent until you press Send on the preview.", color="var(--gray-11)"),
            spacing="4",
            width="100%",
        ),
        on_submit=InvitationFormState.save,
        reset_on_submit=False,
        width="100%",
    )


def new_invitation_page() -> rx.Component:
    return page_shell(
        "New invitation",
        _form(),
        back=back_link("Back to invitations", routes.INVITATIONS),
    )
