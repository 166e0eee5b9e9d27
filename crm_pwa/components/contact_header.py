"""The top of a contact card: who, how close, what to remember, and one tap to reach them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.contact_row import KIND_LABELS, TIER_LABELS
from crm_pwa.components.health_badge import health_badge
from crm_pwa.components.note_sheet import OPEN_JS
from crm_pwa.components.section import section
from crm_pwa.components.when import talked_label
from crm_pwa.domain.phone import display_phone
from crm_pwa.services.contact_card import ContactCard

MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="


@dataclass(frozen=True)
class ContactHeader:
    name: str = ""
    role: str = ""
    owner: str = ""
    kind: str = ""
    tier: str = ""
    last_talked: str = ""
    do_not_contact: bool = False
    phone: str = ""
    email: str = ""
    address: str = ""
    tags: str = ""
    tel_href: str = ""
    mailto_href: str = ""
    map_href: str = ""
    edit_href: str = ""
    remember: str = ""
    band: str = "new"
    score: int | None = None
    reasons: list[str] = field(default_factory=list)


def contact_header(card: ContactCard, today: date, time_zone: str) -> ContactHeader:
    contact = card.contact
    return ContactHeader(
        name=contact.name,
        owner=card.owner_name,
        role=" · ".join(part for part in (contact.title, contact.company) if part),
        kind=KIND_LABELS.get(contact.kind, contact.kind),
        tier=f"{TIER_LABELS.get(contact.tier, contact.tier)} · every "
        f"{contact.effective_rhythm_days} d",
        last_talked=talked_label(contact.last_interaction_at, today, time_zone),
        do_not_contact=contact.do_not_contact,
        # Stored E.164; people read +1 415-555-1004, the dialler gets the E.164 form.
        phone=display_phone(contact.phone),
        email=contact.email,
        address=contact.address,
        tags=", ".join(contact.tags),
        tel_href=f"tel:{contact.phone}" if contact.phone else "",
        mailto_href=f"mailto:{contact.email}" if contact.email else "",
        map_href=MAPS_SEARCH + quote(contact.address, safe="") if contact.address else "",
        edit_href=routes.contact_edit(str(contact.id)),
        remember=contact.connection_notes,
        band=contact.health.band,
        score=contact.health.score,
        reasons=list(contact.health.reasons),
    )


def _reach(label: str, icon: str, href: Var[str], missing: str) -> rx.Component:
    look = {
        "display": "flex",
        "flex_direction": "column",
        "align_items": "center",
        "justify_content": "center",
        "gap": "2px",
        "min_height": "64px",
        "border_radius": "12px",
        "font_weight": "600",
        "text_decoration": "none",
    }
    return rx.cond(
        href != "",
        rx.el.a(
            rx.icon(icon, size=24, aria_hidden="true"),
            label,
            href=href,
            style={**look, "background": "var(--accent-9)", "color": "var(--accent-contrast)"},
        ),
        rx.el.span(
            rx.icon(icon, size=24, aria_hidden="true"),
            missing,
            style={**look, "background": "var(--gray-3)", "color": "var(--gray-11)"},
        ),
    )


def identity(header: ObjectVar[ContactHeader]) -> rx.Component:
    # The name is the page's h1, in the header above.
    return rx.vstack(
        rx.cond(header.role != "", rx.text(header.role, size="3", color="var(--gray-11)")),
        rx.flex(
            rx.badge(header.kind, size="2", variant="outline"),
            rx.badge(header.tier, size="2", variant="outline"),
            health_badge(header.band, header.score),
            gap="6px",
            wrap="wrap",
        ),
        rx.text(header.last_talked, size="2", color="var(--gray-11)"),
        rx.text("Owner: ", rx.el.strong(header.owner), size="2", data_owner=""),
        rx.cond(
            header.do_not_contact,
            rx.callout("Asked not to be contacted.", icon="ban", color_scheme="red", role="note"),
        ),
        spacing="2",
        width="100%",
    )


def remember(header: ObjectVar[ContactHeader]) -> rx.Component:
    return rx.cond(
        header.remember != "",
        rx.box(
            rx.heading("Remember", size="3", as_="h2"),
            rx.text(header.remember, white_space="pre-wrap", overflow_wrap="anywhere"),
            padding="12px",
            border_radius="10px",
            background="var(--amber-3)",
            border="1px solid var(--amber-7)",
            width="100%",
        ),
    )


def reach_actions(header: ObjectVar[ContactHeader]) -> rx.Component:
    return rx.vstack(
        rx.grid(
            _reach("Call", "phone", header.tel_href, "No phone"),
            _reach("Mail", "mail", header.mailto_href, "No email"),
            _reach("Map", "map-pin", header.map_href, "No address"),
            columns="3",
            spacing="2",
            width="100%",
        ),
        rx.button(
            rx.icon("notebook-pen", aria_hidden="true"),
            "Log a meeting",
            on_click=rx.call_script(OPEN_JS),
            size="4",
            min_height="56px",
            width="100%",
        ),
        rx.text(data_note_outcome="", role="status", size="2", weight="medium"),
        spacing="2",
        width="100%",
    )


def health_section(header: ObjectVar[ContactHeader]) -> rx.Component:
    return section(
        "Health",
        rx.hstack(health_badge(header.band, header.score)),
        rx.el.ul(
            rx.foreach(header.reasons, lambda reason: rx.el.li(reason)),
            style={"margin": "0", "padding_left": "20px"},
        ),
    )


def _detail(label: str, value: Var[str]) -> rx.Component:
    return rx.cond(
        value != "",
        rx.box(
            rx.text(label, size="1", color="var(--gray-11)", weight="medium"),
            rx.text(value, overflow_wrap="anywhere", white_space="pre-wrap"),
        ),
    )


def details_section(header: ObjectVar[ContactHeader]) -> rx.Component:
    return section(
        "Details",
        _detail("Phone", header.phone),
        _detail("Email", header.email),
        _detail("Address", header.address),
        _detail("Tags", header.tags),
    )
