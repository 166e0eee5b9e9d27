"""The follow-ups an invitation offers after attendance: one per guest, titled and dated,
added or skipped one by one."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import FIELD_STYLE, TAP, labelled
from crm_pwa.pages.invitation_guests import LIST_STYLE, ROW_STYLE
from crm_pwa.pages.invitation_rows import FollowUpRow
from crm_pwa.pages.invitation_state import InvitationState


def _offer(offer: ObjectVar[FollowUpRow]) -> rx.Component:
    return rx.el.li(
        rx.form(
            rx.vstack(
                rx.text.strong(offer.name),
                rx.el.input(type="hidden", name="contact_id", value=offer.contact_id),
                labelled(
                    "Follow-up",
                    rx.el.input(
                        name="title",
                        default_value=offer.title,
                        aria_label="Follow-up for " + offer.name.to(str),
                        style=FIELD_STYLE,
                    ),
                    width="100%",
                ),
                labelled(
                    "Due",
                    rx.el.input(
                        type="date",
                        name="due_on",
                        default_value=offer.due_on,
                        aria_label="Follow-up for " + offer.name.to(str) + " due",
                        style=FIELD_STYLE,
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        "Add follow-up",
                        type="submit",
                        aria_label="Add follow-up for " + offer.name.to(str),
                        min_height=TAP,
                    ),
                    rx.button(
                        "Skip",
                        type="button",
                        on_click=InvitationState.skip_follow_up(offer.contact_id),  # type: ignore[operator]
                        aria_label="Skip follow-up for " + offer.name.to(str),
                        variant="soft",
                        color_scheme="gray",
                        min_height=TAP,
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=InvitationState.add_follow_up,
            reset_on_submit=False,
        ),
        style=ROW_STYLE,
    )


def follow_up_offers() -> rx.Component:
    return rx.cond(
        InvitationState.offers,
        rx.vstack(
            rx.heading("Follow up with them?", as_="h2", size="4", id="offers-heading"),
            rx.el.ul(
                rx.foreach(InvitationState.offers, _offer),
                aria_labelledby="offers-heading",
                style=LIST_STYLE,
            ),
            spacing="2",
            width="100%",
        ),
    )
