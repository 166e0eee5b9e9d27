"""One contact in a list: who, where, how close, and when we last talked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.health_badge import health_badge
from crm_pwa.components.section import card_link
from crm_pwa.components.when import talked_label
from crm_pwa.services.contacts import ContactPublic

KIND_LABELS = {
    "customer": "Customer",
    "prospect": "Prospect",
    "partner": "Partner",
    "supplier": "Supplier",
    "staff": "Staff",
    "other": "Other",
}
TIER_LABELS = {"high": "High touch", "medium": "Medium touch", "low": "Low touch"}


@dataclass(frozen=True)
class ContactRowView:
    id: str
    href: str
    name: str
    company: str
    tier: str
    last_talked: str
    band: str
    score: int | None

    @classmethod
    def of(cls, contact: ContactPublic, today: date, time_zone: str) -> ContactRowView:
        return cls(
            id=str(contact.id),
            href=routes.contact(str(contact.id)),
            name=contact.name,
            company=contact.company,
            tier=TIER_LABELS.get(contact.tier, contact.tier),
            last_talked=talked_label(contact.last_interaction_at, today, time_zone),
            band=contact.health.band,
            score=contact.health.score,
        )


def contact_row(row: ObjectVar[ContactRowView]) -> rx.Component:
    return card_link(
        rx.hstack(
            rx.vstack(
                rx.text(row.name, weight="bold", size="3", trim="both"),
                rx.text(
                    rx.cond(row.company != "", f"{row.company} · ", ""),
                    row.tier,
                    size="2",
                    color="var(--gray-11)",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.vstack(
                health_badge(row.band, row.score),
                rx.text(row.last_talked, size="1", color="var(--gray-11)"),
                align="end",
                spacing="1",
                flex_shrink="0",
            ),
            align="center",
            width="100%",
            spacing="3",
        ),
        href=row.href,
        data_contact_row=row.id,
        min_height="64px",
        padding="10px 4px",
        border_bottom="1px solid var(--gray-5)",
    )
