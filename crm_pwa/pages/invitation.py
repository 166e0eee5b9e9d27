"""One invitation: the preview (who is invited, who is not and why) while a draft; then
sending (a progress bar, or one tap per guest into the phone's mail app), the guest
list with answers and attendance, the follow-ups it offers, and the counts.

The guest list and the follow-up offers live in invitation_guests.py and
invitation_offers.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from crm_pwa import routes
from crm_pwa.components.field import TAP
from crm_pwa.components.notice import notice
from crm_pwa.components.shell import back_link, loading_rows, page_shell
from crm_pwa.pages.invitation_guests import LIST_STYLE, ROW_STYLE, guest_list, who
from crm_pwa.pages.invitation_offers import follow_up_offers
from crm_pwa.pages.invitation_rows import GuestRow
from crm_pwa.pages.invitation_state import InvitationState
from crm_pwa.pages.invitations import counts_list


def _invited_row(row: ObjectVar[GuestRow]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            who(row),
            rx.spacer(),
            rx.cond(
                row.included_by_hand,
                rx.badge("Included by hand", variant="soft", color_scheme="amber", size="2"),
            ),
            align="center",
            width="100%",
        ),
        data_guest=row.name,
        style=ROW_STYLE,
    )


def _confirm_include(row: ObjectVar[GuestRow]) -> rx.Component:
    return rx.callout.root(
        rx.callout.text(
            "Invite ",
            rx.text.strong(row.name),
            " anyway? ",
            row.reason_words,
            ". The invitation counts as a contact in their health score.",
        ),
        rx.hstack(
            rx.button("Yes, invite", on_click=InvitationState.include, min_height=TAP),
            rx.button(
                "Keep out",
                on_click=InvitationState.keep_excluded,
                variant="soft",
                color_scheme="gray",
                min_height=TAP,
            ),
            wrap="wrap",
        ),
        color_scheme="amber",
        role="alertdialog",
        aria_label="Include " + row.name.to(str) + " anyway?",
        width="100%",
    )


def _excluded_row(row: ObjectVar[GuestRow]) -> rx.Component:
    may_include = row.overridable & (InvitationState.state == "draft")
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                who(row),
                rx.spacer(),
                rx.cond(
                    may_include & (InvitationState.confirming != row.contact_id),
                    rx.button(
                        "Include anyway",
                        on_click=InvitationState.ask_to_include(row.contact_id, row.name),  # type: ignore[operator]
                        aria_label="Include anyway: " + row.name.to(str),
                        variant="soft",
                        min_height=TAP,
                    ),
                ),
                align="center",
                width="100%",
            ),
            rx.text(row.reason_words, data_reason=""),
            rx.cond(InvitationState.confirming == row.contact_id, _confirm_include(row)),
            spacing="2",
            width="100%",
        ),
        data_excluded=row.name,
        style=ROW_STYLE,
    )


def _guest_group(
    title: str,
    rows: ArrayVar[Any],
    row: Callable[[ObjectVar[GuestRow]], rx.Component],
    heading_id: str,
    nobody: str,
) -> rx.Component:
    """A heading with its count, then the people under it, or a sentence when there are none."""
    return rx.vstack(
        rx.heading(title, " (", rows.length(), ")", as_="h2", size="4", id=heading_id),
        rx.cond(
            rows,
            rx.el.ul(rx.foreach(rows, row), aria_labelledby=heading_id, style=LIST_STYLE),
            rx.text(nobody, color="var(--gray-11)"),
        ),
        spacing="2",
        width="100%",
    )


def _excluded_list() -> rx.Component:
    return _guest_group(
        "Not invited",
        InvitationState.excluded,
        _excluded_row,
        "excluded-heading",
        "Nobody: the guard found no reason to leave anyone out.",
    )


def _preview() -> rx.Component:
    return rx.vstack(
        _guest_group(
            "Will be invited",
            InvitationState.invited,
            _invited_row,
            "invited-heading",
            "Nobody yet: change the filters or include someone below.",
        ),
        _excluded_list(),
        rx.button(
            rx.icon("send", size=18, aria_hidden="true"),
            "Send to ",
            InvitationState.invited.length(),
            rx.cond(InvitationState.invited.length() == 1, " person", " people"),
            on_click=InvitationState.send,
            disabled=InvitationState.invited.length() == 0,
            size="3",
            min_height=TAP,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _progress() -> rx.Component:
    return rx.vstack(
        rx.heading("Sending", as_="h2", size="4"),
        rx.progress(
            value=InvitationState.percent_sent,
            aria_label="Invitations sent",
            aria_valuetext=InvitationState.sent.to(str) + " of " + InvitationState.total.to(str),
            size="3",
            width="100%",
        ),
        rx.text(
            InvitationState.sent,
            " of ",
            InvitationState.total,
            " sent",
            rx.cond(
                InvitationState.failed > 0,
                ", " + InvitationState.failed.to(str) + " given up on",
                "",
            ),
            role="status",
        ),
        rx.cond(
            InvitationState.send_error != "",
            rx.vstack(
                rx.callout(
                    InvitationState.send_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                ),
                rx.button(
                    "Send again", on_click=InvitationState.send, min_height=TAP, width="100%"
                ),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(InvitationState.state_label, variant="soft", size="2"),
            rx.text(
                InvitationState.kind, " by ", InvitationState.owner_name, color="var(--gray-11)"
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            InvitationState.when != "",
            rx.text(
                InvitationState.when,
                rx.cond(InvitationState.place != "", " · " + InvitationState.place, ""),
            ),
        ),
        rx.el.details(
            rx.el.summary(
                "The message",
                style={"min_height": TAP, "display": "flex", "align_items": "center"},
                cursor="pointer",
                color="var(--accent-11)",
                font_weight="600",
            ),
            rx.text(InvitationState.message, white_space="pre-wrap"),
        ),
        spacing="2",
        width="100%",
    )


def _view() -> rx.Component:
    return rx.vstack(
        _summary(),
        notice(InvitationState.notice, InvitationState.notice_is_error),
        rx.cond(
            InvitationState.state == "draft",
            _preview(),
            rx.vstack(
                rx.cond(InvitationState.channel == "smtp", _progress()),
                follow_up_offers(),
                guest_list(),
                _excluded_list(),
                spacing="5",
                width="100%",
            ),
        ),
        rx.el.section(
            rx.heading("Results", as_="h2", size="4"),
            counts_list(InvitationState.counts),
            style={"width": "100%", "display": "flex", "flex_direction": "column", "gap": "8px"},
        ),
        spacing="5",
        width="100%",
    )


def invitation_page() -> rx.Component:
    return page_shell(
        rx.cond(InvitationState.found, InvitationState.title, "Invitation"),
        rx.cond(
            InvitationState.found,
            _view(),
            rx.cond(
                InvitationState.missing,
                rx.callout(
                    "This invitation does not exist, or is not yours to see.",
                    icon="search-x",
                    color_scheme="red",
                    role="alert",
                ),
                loading_rows(),
            ),
        ),
        back=back_link("Back to invitations", routes.INVITATIONS),
    )
