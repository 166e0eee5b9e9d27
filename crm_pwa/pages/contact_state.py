"""The contact card's state: what the card shows and what its buttons change."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import reflex as rx
from pydantic import ValidationError
from reflex.event import EventSpec
from sqlmodel import Session

from crm_pwa import clock, routes
from crm_pwa.components.complaint_item import ComplaintView, waiting_label
from crm_pwa.components.contact_header import (
    ContactHeader,
    contact_header,
)
from crm_pwa.components.download import download_script
from crm_pwa.components.follow_up_item import FollowUpView, follow_up_view
from crm_pwa.components.opportunity_item import (
    OpportunityView,
)
from crm_pwa.components.timeline_entry import InteractionView, timeline_views
from crm_pwa.components.when import short_date
from crm_pwa.domain.days import local_day
from crm_pwa.domain.money import show_money
from crm_pwa.domain.numbers import read_amount
from crm_pwa.domain.rules import RuleError
from crm_pwa.services.actor import Actor
from crm_pwa.services.complaints import log_complaint, resolve_complaint
from crm_pwa.services.contact_card import ContactCard, contact_card
from crm_pwa.services.contact_editing import delete_contact
from crm_pwa.services.errors import Invalid, NotFound, ServiceError
from crm_pwa.services.follow_ups import reschedule_follow_up
from crm_pwa.services.note_input import describe_validation_error
from crm_pwa.services.opportunities import (
    OpportunityCreate,
    OpportunityUpdate,
    create_opportunity,
    update_opportunity,
)
from crm_pwa.state.session import SessionState, in_database


def _opportunity_summary(
    amount: str | None, currency: str, expected_close: date | None, today: date
) -> str:
    parts = ["No amount" if amount is None else show_money(Decimal(amount), currency)]
    if expected_close is not None:
        parts.append(f"closes {short_date(expected_close, today)}")
    return " · ".join(parts)


# One service call that changes something on the card: (session, actor, now).
CardChange = Callable[[Session, Actor, datetime], object]


class ContactState(SessionState):
    card_id: rx.Field[str] = rx.field("")
    found: rx.Field[bool] = rx.field(False)
    missing: rx.Field[bool] = rx.field(False)
    today: rx.Field[str] = rx.field("")
    header: ContactHeader = ContactHeader()
    follow_ups: rx.Field[list[FollowUpView]] = rx.field(default_factory=list)
    complaints: rx.Field[list[ComplaintView]] = rx.field(default_factory=list)
    opportunities: rx.Field[list[OpportunityView]] = rx.field(default_factory=list)
    timeline: rx.Field[list[InteractionView]] = rx.field(default_factory=list)
    follow_up_error: rx.Field[str] = rx.field("")
    complaint_error: rx.Field[str] = rx.field("")
    opportunity_error: rx.Field[str] = rx.field("")
    export_message: rx.Field[str] = rx.field("")
    # The field the refusal is about ("" for none) and the form: "new" or an opportunity id.
    opportunity_error_field: rx.Field[str] = rx.field("")
    opportunity_error_for: rx.Field[str] = rx.field("")
    # Changes once an opportunity is added, so the add form is drawn again empty;
    # a refused one keeps what was typed.
    new_opportunity_key: rx.Field[str] = rx.field("new")

    def _route_contact_id(self) -> str:
        # Reflex installs the route's [contact_id] as a state var at runtime.
        return str(getattr(self, "contact_id", ""))

    def _show(self, card: ContactCard, today: date, time_zone: str) -> None:
        self.found = True
        self.missing = False
        self.today = today.isoformat()
        self.header = contact_header(card, today, time_zone)
        self.follow_ups = [
            follow_up_view(
                follow_up_id=str(line.id),
                title=line.title,
                status=line.status,
                due_on=line.due_on,
                snooze_until=line.snooze_until,
                today=today,
            )
            for line in card.open_follow_ups
        ]
        self.complaints = [
            ComplaintView(
                id=str(line.id),
                summary=line.summary,
                opened=f"Opened {short_date(local_day(line.opened_at, time_zone), today)}",
                waiting=waiting_label(
                    (today - local_day(line.opened_at, time_zone)).days, line.stale
                ),
                resolved=line.resolved_at is not None,
                resolution=line.resolution,
            )
            for line in card.complaints
        ]
        self.opportunities = [
            OpportunityView(
                id=str(line.id),
                title=line.title,
                stage=line.stage,
                amount=line.amount or "",
                expected_close=line.expected_close.isoformat() if line.expected_close else "",
                summary=_opportunity_summary(
                    line.amount, card.currency, line.expected_close, today
                ),
            )
            for line in card.opportunities
        ]
        self.timeline = timeline_views(card, today, time_zone)

    def _hide(self) -> None:
        self.found = False
        self.missing = True
        self.header = ContactHeader()
        self.follow_ups = []
        self.complaints = []
        self.opportunities = []
        self.timeline = []

    async def _read(self, actor: Actor) -> None:
        try:
            contact_id = uuid.UUID(self.card_id)
        except ValueError:
            self._hide()
            return
        today = local_day(clock.now(), actor.time_zone)
        try:
            card = await in_database(
                lambda session: contact_card(
                    session=session, actor=actor, contact_id=contact_id, today=today
                )
            )
        except NotFound:
            self._hide()
            return
        self._show(card, today, actor.time_zone)

    async def _open(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        route_id = self._route_contact_id()
        if self.card_id != route_id:
            # Another contact: show nothing of the previous one while this one loads.
            self.found = False
            self.missing = False
        self.card_id = route_id
        self.follow_up_error = ""
        self.complaint_error = ""
        self._clear_opportunity_error()
        self.export_message = ""
        await self._read(actor)
        return None

    @rx.event
    async def load(self) -> EventSpec | None:
        return await self._open()

    @rx.event
    async def reload(self) -> EventSpec | None:
        """Pressed by the outbox script once a note or follow-up change reached the server."""
        return await self._open()

    async def _change(
        self, error_var: str, change: CardChange, field_var: str = ""
    ) -> EventSpec | bool:
        """Runs one service call that changes the card, then shows the card as it now is.

        `change` runs on a worker thread: it reads the form and ids it was given,
        never the state. True when the change was made; a refusal goes into
        `error_var` (and the field it is about into `field_var`) and answers False.
        """
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        try:
            await in_database(lambda session: change(session, actor, clock.now()))
        except (ServiceError, ValidationError, ValueError) as refused:
            setattr(self, error_var, _message(refused))
            if field_var:
                setattr(self, field_var, _field(refused))
            return False
        setattr(self, error_var, "")
        await self._read(actor)
        return True

    async def _change_card(self, error_var: str, change: CardChange) -> EventSpec | None:
        outcome = await self._change(error_var, change)
        return outcome if isinstance(outcome, EventSpec) else None

    def _clear_opportunity_error(self) -> None:
        self.opportunity_error = ""
        self.opportunity_error_field = ""
        self.opportunity_error_for = ""

    async def _change_opportunity(self, form_id: str, change: CardChange) -> EventSpec | None:
        self._clear_opportunity_error()
        self.opportunity_error_for = form_id
        outcome = await self._change("opportunity_error", change, "opportunity_error_field")
        if outcome is True and form_id == "new":
            self.new_opportunity_key = str(uuid.uuid4())
        return outcome if isinstance(outcome, EventSpec) else None

    @rx.event
    async def reschedule(self, form: dict[str, Any]) -> EventSpec | None:
        return await self._change_card(
            "follow_up_error",
            lambda session, actor, now: reschedule_follow_up(
                session=session,
                actor=actor,
                follow_up_id=uuid.UUID(_text(form, "follow_up_id")),
                due_on=_date(form, "due_on", "Pick the new date."),
                now=now,
            ),
        )

    @rx.event
    async def add_complaint(self, form: dict[str, Any]) -> EventSpec | None:
        card_id = self.card_id
        return await self._change_card(
            "complaint_error",
            lambda session, actor, now: log_complaint(
                session=session,
                actor=actor,
                contact_id=uuid.UUID(card_id),
                summary=_text(form, "summary"),
                now=now,
            ),
        )

    @rx.event
    async def resolve(self, form: dict[str, Any]) -> EventSpec | None:
        return await self._change_card(
            "complaint_error",
            lambda session, actor, now: resolve_complaint(
                session=session,
                actor=actor,
                complaint_id=uuid.UUID(_text(form, "complaint_id")),
                resolution=_text(form, "resolution"),
                now=now,
            ),
        )

    @rx.event
    async def add_opportunity(self, form: dict[str, Any]) -> EventSpec | None:
        card_id = self.card_id
        return await self._change_opportunity(
            "new",
            lambda session, actor, now: create_opportunity(
                session=session,
                actor=actor,
                contact_id=uuid.UUID(card_id),
                opportunity_in=OpportunityCreate.model_validate(
                    {"title": _text(form, "title"), **_opportunity_fields(form)}
                ),
                now=now,
            ),
        )

    @rx.event
    async def save_opportunity(self, form: dict[str, Any]) -> EventSpec | None:
        return await self._change_opportunity(
            _text(form, "opportunity_id"),
            lambda session, actor, now: update_opportunity(
                session=session,
                actor=actor,
                opportunity_id=uuid.UUID(_text(form, "opportunity_id")),
                opportunity_in=OpportunityUpdate.model_validate(_opportunity_fields(form)),
                now=now,
            ),
        )

    @rx.event
    async def erase(self) -> EventSpec:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        card_id = self.card_id
        # Already gone or never visible: either way there is nothing left to show.
        with contextlib.suppress(NotFound, ValueError):
            await in_database(
                lambda session: delete_contact(
                    session=session,
                    actor=actor,
                    contact_id=uuid.UUID(card_id),
                    now=clock.now(),
                )
            )
        self._hide()
        return rx.redirect(routes.CONTACTS)

    @rx.event
    def export_person(self) -> EventSpec:
        self.export_message = ""
        path = f"/api/v1/contacts/{self.card_id}/export"
        return rx.call_script(download_script(path), callback=ContactState.exported)

    @rx.event
    def exported(self, result: dict[str, Any]) -> None:
        self.export_message = str(result.get("message", ""))


class _BadDate(ValueError):
    pass


def _text(form: dict[str, Any], name: str) -> str:
    return str(form.get(name, "")).strip()


def _date(form: dict[str, Any], name: str, message: str) -> date:
    try:
        return date.fromisoformat(_text(form, name))
    except ValueError as error:
        raise _BadDate(message) from error


def _opportunity_fields(form: dict[str, Any]) -> dict[str, Any]:
    # Blank amount or date means "none"; the amount is read as the rep typed it
    # ("12,500"), pydantic parses the date and the service checks the rest.
    return {
        "stage": _text(form, "stage") or "lead",
        "amount": read_amount(_text(form, "amount")),
        "expected_close": _text(form, "expected_close") or None,
    }


def _message(refused: Exception) -> str:
    if isinstance(refused, ServiceError | RuleError):
        return refused.message
    if isinstance(refused, ValidationError):
        return describe_validation_error(refused)
    if isinstance(refused, _BadDate):
        return str(refused)
    return "Something on this card changed meanwhile; reload the page."


def _field(refused: Exception) -> str:
    """The form field a refusal is about, or "" when it is about the whole form."""
    if isinstance(refused, RuleError | Invalid):
        return refused.field or ""
    if isinstance(refused, ValidationError):
        fields = {str(item["loc"][0]) for item in refused.errors() if item["loc"]}
        return fields.pop() if len(fields) == 1 else ""
    return ""
