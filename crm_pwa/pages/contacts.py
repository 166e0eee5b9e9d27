"""Contacts: search as you type, filter by kind, tier, health and (managers) owner, page with
"Load more". From 1024 px the contact card shows this list beside it."""

from __future__ import annotations

import uuid

import reflex as rx
from reflex.event import EventSpec, EventType

from crm_pwa import clock, routes
from crm_pwa.components.contact_row import KIND_LABELS, TIER_LABELS, ContactRowView, contact_row
from crm_pwa.components.field import FIELD_STYLE, TAP, labelled
from crm_pwa.components.health_badge import BAND_LABELS
from crm_pwa.components.import_link import empty_book
from crm_pwa.components.shell import page_shell
from crm_pwa.domain.contact_rules import BANDS, KINDS, TIERS
from crm_pwa.domain.days import local_day
from crm_pwa.services.contact_list import search_contacts
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.rep_page import people_in_view
from crm_pwa.state.session import SessionState, in_database

PAGE_SIZE = 25
SEARCH_DEBOUNCE_MS = 250
SEARCH_INPUT_ID = "contact-search"


class ContactsState(SessionState):
    query: rx.Field[str] = rx.field("")
    kind: rx.Field[str] = rx.field("")
    tier: rx.Field[str] = rx.field("")
    band: rx.Field[str] = rx.field("")
    # A manager's view of one person's contacts; "" is everyone they may see.
    owner: rx.Field[str] = rx.field("")
    # [id, name] of each person whose contacts the manager may list.
    owners: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    rows: rx.Field[list[ContactRowView]] = rx.field(default_factory=list)
    next_cursor: rx.Field[str] = rx.field("")
    searched: rx.Field[bool] = rx.field(False)
    # Nothing found with no search and no filter: the rep has no contact yet.
    book_empty: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")

    async def _search(self, cursor: str | None) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        today = local_day(clock.now(), actor.time_zone)
        query, kind, tier, band = self.query, self.kind, self.tier, self.band
        owner = uuid.UUID(self.owner) if self.owner else None
        try:
            found = await in_database(
                lambda session: search_contacts(
                    session=session,
                    actor=actor,
                    q=query,
                    kind=kind or None,
                    tier=tier or None,
                    band=band or None,
                    owner=owner,
                    limit=PAGE_SIZE,
                    cursor=cursor,
                )
            )
        except ServiceError as refused:
            self.error = refused.message
            return None
        rows = [ContactRowView.of(contact, today, actor.time_zone) for contact in found.items]
        self.rows = [*self.rows, *rows] if cursor else rows
        self.next_cursor = found.next_cursor or ""
        self.searched = True
        self.book_empty = not rows and not (
            cursor or self.query or self.kind or self.tier or self.band
        )
        self.error = ""
        return None

    async def _list_owners(self) -> None:
        actor = await self._actor_off_loop()
        if actor is None or not actor.sees_team:
            self.owners = []
            return
        people = await in_database(lambda session: people_in_view(session, actor))
        self.owners = [[str(person.id), person.name] for person in people]

    @rx.event
    async def load(self) -> EventSpec | None:
        # The search box is uncontrolled and starts empty on every visit: so does the query.
        self.query = ""
        await self._list_owners()
        # A rep's page links here with ?owner=<id>: that rep's contacts.
        owner = self.router.url.query_parameters.get("owner", "")
        self.owner = owner if owner in {person[0] for person in self.owners} else ""
        return await self._search(None)

    @rx.event
    async def load_beside(self) -> EventSpec | None:
        """The list beside a card (from 1024 px): kept as it was when it is there already."""
        if self.searched:
            return None
        await self._list_owners()
        return await self._search(None)

    @rx.event
    async def filter_owner(self, value: str) -> EventSpec | None:
        self.owner = value
        return await self._search(None)

    @rx.event(debounce=SEARCH_DEBOUNCE_MS)
    async def search(self, text: str) -> EventSpec | None:
        self.query = text
        return await self._search(None)

    @rx.event
    async def filter_kind(self, value: str) -> EventSpec | None:
        self.kind = value
        return await self._search(None)

    @rx.event
    async def filter_tier(self, value: str) -> EventSpec | None:
        self.tier = value
        return await self._search(None)

    @rx.event
    async def filter_band(self, value: str) -> EventSpec | None:
        self.band = value
        return await self._search(None)

    @rx.event
    async def load_more(self) -> EventSpec | None:
        return await self._search(self.next_cursor or None)


def _filter(
    label: str,
    value: rx.Var[str],
    on_change: EventType[str],
    options: list[tuple[str, str]],
) -> rx.Component:
    return labelled(
        label,
        rx.el.select(
            rx.el.option("Any", value=""),
            *(rx.el.option(text, value=key) for key, text in options),
            value=value,
            on_change=on_change,
            # Named by the label alone, the name would run on into every option's text.
            aria_label=label,
            style=FIELD_STYLE,
        ),
        flex="1 1 96px",
    )


def _search_box() -> rx.Component:
    return labelled(
        "Search contacts",
        rx.el.input(
            id=SEARCH_INPUT_ID,
            type="search",
            placeholder="Name, company, email, phone, tag",
            autocomplete="off",
            enter_key_hint="search",
            on_change=ContactsState.search,
            style={**FIELD_STYLE, "font_size": "17px"},
        ),
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.flex(
        _filter(
            "Kind",
            ContactsState.kind,
            ContactsState.filter_kind,
            [(kind, KIND_LABELS[kind]) for kind in KINDS],
        ),
        _filter(
            "Tier",
            ContactsState.tier,
            ContactsState.filter_tier,
            [(tier, TIER_LABELS[tier]) for tier in TIERS],
        ),
        _filter(
            "Health",
            ContactsState.band,
            ContactsState.filter_band,
            [(band, BAND_LABELS[band]) for band in BANDS],
        ),
        rx.cond(
            ContactsState.owners,
            labelled(
                "Owner",
                rx.el.select(
                    rx.el.option("Anyone", value=""),
                    rx.foreach(
                        ContactsState.owners,
                        lambda person: rx.el.option(person[1], value=person[0]),
                    ),
                    value=ContactsState.owner,
                    on_change=ContactsState.filter_owner,
                    aria_label="Owner",
                    style=FIELD_STYLE,
                ),
                flex="1 1 160px",
            ),
        ),
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def contact_list() -> rx.Component:
    """Search, filters and results: the Contacts page, and the list beside a card on a laptop."""
    return rx.vstack(
        _search_box(),
        _filters(),
        _results(),
        spacing="3",
        width="100%",
    )


def _results() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ContactsState.error != "",
            rx.callout(
                ContactsState.error, icon="triangle-alert", color_scheme="red", role="alert"
            ),
        ),
        rx.box(rx.foreach(ContactsState.rows, contact_row), width="100%"),
        rx.cond(
            ContactsState.book_empty,
            empty_book(),
            rx.cond(
                ContactsState.searched & (ContactsState.rows.length() == 0),
                rx.text("No contact matches.", color="var(--gray-11)", padding_y="12px"),
            ),
        ),
        rx.cond(
            ContactsState.next_cursor != "",
            rx.button(
                "Load more",
                on_click=ContactsState.load_more,
                size="3",
                min_height=TAP,
                width="100%",
                variant="soft",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _new_contact_button() -> rx.Component:
    # Floats above the bottom navigation, where a thumb reaches it.
    # A plain anchor: a themed link would turn its text to the accent colour on hover.
    return rx.el.a(
        rx.icon("user-plus", size=20, aria_hidden="true"),
        "New contact",
        href=routes.CONTACT_NEW,
        style={
            "position": "fixed",
            "right": "16px",
            "bottom": "calc(72px + env(safe-area-inset-bottom))",
            "display": "flex",
            "align_items": "center",
            "gap": "8px",
            "min_height": "52px",
            "padding": "0 18px",
            "border_radius": "999px",
            "background": "var(--accent-9)",
            "color": "var(--accent-contrast)",
            "font_weight": "600",
            "box_shadow": "0 4px 12px rgba(0, 0, 0, 0.25)",
            "text_decoration": "none",
            "z_index": "5",
        },
    )


def contacts_page() -> rx.Component:
    return page_shell("Contacts", contact_list(), _new_contact_button())
