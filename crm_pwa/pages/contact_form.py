"""Add or change a contact: one form, big fields, the server's verdict beside it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

import reflex as rx
from pydantic import ValidationError
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar
from sqlmodel import Session

from crm_pwa import clock, routes
from crm_pwa.components.contact_row import KIND_LABELS, TIER_LABELS
from crm_pwa.components.field import TAP, choice, field_problem, labelled, text_box, text_input
from crm_pwa.components.shell import back_link, loading_rows, page_shell
from crm_pwa.domain.contact_rules import KINDS, TIERS
from crm_pwa.domain.numbers import read_day_count
from crm_pwa.domain.rules import RuleError
from crm_pwa.services.contact_duplicates import DUPLICATE
from crm_pwa.services.contact_editing import (
    ContactCreate,
    ContactUpdate,
    create_contact,
    update_contact,
)
from crm_pwa.services.contacts import get_contact
from crm_pwa.services.errors import Duplicate, Invalid, NotFound, ServiceError
from crm_pwa.services.note_input import describe_validation_error
from crm_pwa.state.session import SessionState, in_database


@dataclass(frozen=True)
class ContactFormValues:
    name: str = ""
    company: str = ""
    title: str = ""
    kind: str = "customer"
    tier: str = "medium"
    rhythm_days: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    tags: str = ""
    connection_notes: str = ""
    do_not_contact: bool = False


def contact_fields(form: dict[str, Any]) -> dict[str, Any]:
    """The form's strings as the contact services take them; RuleError for a rhythm
    that is not a number of days ("1,000" is read as 1000, for the range rule to judge)."""
    return {
        "name": str(form.get("name", "")),
        "company": str(form.get("company", "")),
        "title": str(form.get("title", "")),
        "kind": str(form.get("kind", "customer")),
        "tier": str(form.get("tier", "medium")),
        "rhythm_days": read_day_count(str(form.get("rhythm_days", ""))),
        "phone": str(form.get("phone", "")),
        "email": str(form.get("email", "")),
        "address": str(form.get("address", "")),
        "tags": [tag for tag in str(form.get("tags", "")).split(",") if tag.strip()],
        "connection_notes": str(form.get("connection_notes", "")),
        # An unticked checkbox is not in the form at all.
        "do_not_contact": bool(form.get("do_not_contact")),
    }


class ContactFormState(SessionState):
    editing_id: rx.Field[str] = rx.field("")
    values: ContactFormValues = ContactFormValues()
    # Changes with each load, so the uncontrolled fields are drawn again with new defaults.
    form_key: rx.Field[str] = rx.field("")
    ready: rx.Field[bool] = rx.field(False)
    missing: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    error_field: rx.Field[str] = rx.field("")
    # The contact the user already has with this e-mail or phone: warned once,
    # then "Save anyway" adds the new one (only if it is still that contact).
    duplicate_id: rx.Field[str] = rx.field("")

    @rx.event
    async def load_new(self) -> EventSpec | None:
        if await self._actor_off_loop() is None:
            return self._to_sign_in()
        self._start("", ContactFormValues())
        return None

    @rx.event
    async def load_edit(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        # Reflex installs the route's [contact_id] as a state var at runtime.
        route_id = str(getattr(self, "contact_id", ""))
        try:
            contact = await in_database(
                lambda session: get_contact(
                    session=session, actor=actor, contact_id=uuid.UUID(route_id)
                )
            )
        except (NotFound, ValueError):
            self._start(route_id, ContactFormValues())
            self.ready = False
            self.missing = True
            return None
        self._start(
            route_id,
            ContactFormValues(
                name=contact.name,
                company=contact.company,
                title=contact.title,
                kind=contact.kind,
                tier=contact.tier,
                rhythm_days="" if contact.rhythm_days is None else str(contact.rhythm_days),
                phone=contact.phone,
                email=contact.email,
                address=contact.address,
                tags=", ".join(contact.tags),
                connection_notes=contact.connection_notes,
                do_not_contact=contact.do_not_contact,
            ),
        )
        return None

    def _start(self, editing_id: str, values: ContactFormValues) -> None:
        self.editing_id = editing_id
        self.values = values
        self.form_key = f"{editing_id or 'new'}-{uuid.uuid4()}"
        self.ready = True
        self.missing = False
        self.error = ""
        self.error_field = ""
        self.duplicate_id = ""

    @rx.event
    async def save(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        editing_id, duplicate_of = self.editing_id, self._duplicate_shown(form)

        def save(session: Session) -> str:
            if editing_id:
                contact = update_contact(
                    session=session,
                    actor=actor,
                    contact_id=uuid.UUID(editing_id),
                    contact_in=ContactUpdate.model_validate(fields),
                    now=clock.now(),
                )
            else:
                contact = create_contact(
                    session=session,
                    actor=actor,
                    contact_in=ContactCreate.model_validate(fields),
                    now=clock.now(),
                    allow_duplicate_of=duplicate_of,
                )
            return str(contact.id)

        try:
            fields = contact_fields(form)
            saved_id = await in_database(save)
        except Duplicate as refused:
            self.error, self.error_field = "", ""
            self.duplicate_id = str(refused.existing_id)
            return None
        except Invalid as refused:
            self.error, self.error_field = refused.message, refused.field or ""
            return None
        except ServiceError as refused:
            self.error, self.error_field = refused.message, ""
            return None
        except ValidationError as refused:
            self.error, self.error_field = describe_validation_error(refused), ""
            return None
        except RuleError as refused:
            self.error, self.error_field = refused.message, refused.field
            return None
        return rx.redirect(routes.contact(saved_id))

    def _duplicate_shown(self, form: dict[str, Any]) -> uuid.UUID | None:
        """The duplicate the user chose "Save anyway" for, if the form still carries it."""
        shown = str(form.get("duplicate_of", ""))
        return uuid.UUID(shown) if shown and shown == self.duplicate_id else None


def _with_error(label: str, name: str, field: rx.Component) -> rx.Component:
    return rx.box(
        labelled(label, field),
        field_problem(ContactFormState.error_field == name, ContactFormState.error),
        width="100%",
    )


def _form() -> rx.Component:
    # Read on the class, a state var is a Var of its value, with one Var per field.
    values = cast(ObjectVar[ContactFormValues], ContactFormState.values)
    return rx.form(
        rx.vstack(
            _with_error(
                "Name", "name", text_input("name", values.name, required=True, autocomplete="off")
            ),
            _with_error("Company", "company", text_input("company", values.company)),
            _with_error("Job title", "title", text_input("title", values.title)),
            rx.flex(
                choice(
                    "Kind",
                    "kind",
                    [(kind, KIND_LABELS[kind]) for kind in KINDS],
                    values.kind,
                    flex="1 1 140px",
                ),
                choice(
                    "Tier",
                    "tier",
                    [(tier, TIER_LABELS[tier]) for tier in TIERS],
                    values.tier,
                    flex="1 1 140px",
                ),
                gap="8px",
                wrap="wrap",
                width="100%",
            ),
            _with_error(
                "Rhythm in days (empty: the tier's)",
                "rhythm_days",
                text_input("rhythm_days", values.rhythm_days, input_mode="numeric"),
            ),
            _with_error(
                "Phone", "phone", text_input("phone", values.phone, type="tel", autocomplete="off")
            ),
            _with_error(
                "Email",
                "email",
                text_input("email", values.email, type="email", autocomplete="off"),
            ),
            _with_error("Address", "address", text_box("address", values.address, rows=2)),
            _with_error("Tags (comma separated)", "tags", text_input("tags", values.tags)),
            _with_error(
                "Connection notes: what to remember",
                "connection_notes",
                text_box("connection_notes", values.connection_notes, rows=4),
            ),
            rx.el.label(
                rx.el.input(
                    type="checkbox",
                    name="do_not_contact",
                    default_checked=values.do_not_contact,
                    style={"width": "24px", "height": "24px", "margin": "0"},
                ),
                "Do not contact",
                style={
                    "display": "flex",
                    "align_items": "center",
                    "gap": "12px",
                    "min_height": TAP,
                    "font_weight": "500",
                },
            ),
            rx.cond(
                (ContactFormState.error != "") & (ContactFormState.error_field == ""),
                rx.callout(
                    ContactFormState.error, icon="triangle-alert", color_scheme="red", role="alert"
                ),
            ),
            rx.cond(
                ContactFormState.error_field != "",
                rx.callout(
                    "Not saved: see the field marked above.",
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                ),
            ),
            rx.cond(ContactFormState.duplicate_id != "", _duplicate_warning()),
            rx.button(
                rx.cond(ContactFormState.duplicate_id != "", "Save anyway", "Save contact"),
                type="submit",
                size="4",
                min_height=TAP,
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ContactFormState.save,
        reset_on_submit=False,
        key=ContactFormState.form_key,
        width="100%",
    )


def _duplicate_warning() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("users")),
        rx.callout.text(DUPLICATE),
        rx.link(
            "Open the existing contact",
            href=routes.contact("") + ContactFormState.duplicate_id,
            weight="bold",
            min_height=TAP,
            display="inline-flex",
            align_items="center",
        ),
        rx.el.input(type="hidden", name="duplicate_of", value=ContactFormState.duplicate_id),
        color_scheme="amber",
        role="alert",
    )


def _page(title: str, back: rx.Component) -> rx.Component:
    return page_shell(
        title,
        rx.cond(
            ContactFormState.ready,
            _form(),
            rx.cond(
                ContactFormState.missing,
                rx.callout("Contact not found.", icon="search-x", color_scheme="red", role="alert"),
                # Offline, offline.js says in its place that editing needs a signal.
                loading_rows(data_card_loading=""),
            ),
        ),
        back=back,
    )


def new_contact_page() -> rx.Component:
    return _page("New contact", back_link("Back to contacts", routes.CONTACTS))


def edit_contact_page() -> rx.Component:
    return _page(
        "Edit contact",
        # An f-string holding a Var stays a Var: the link follows the loaded contact.
        back_link("Back to the contact", routes.contact(cast(str, ContactFormState.editing_id))),
    )
