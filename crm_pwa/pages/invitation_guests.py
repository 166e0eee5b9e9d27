"""The guest list of a sent invitation: one tap per guest into the mail app when there is
no SMTP server, each guest's answer, and attendance marked for several at once."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import FIELD_STYLE, TAP, labelled
from crm_pwa.pages.invitation_rows import ANSWERS, GuestRow
from crm_pwa.pages.invitation_state import InvitationState

LIST_STYLE = {"margin": "0", "padding": "0", "width": "100%"}
ROW_STYLE = {"border_bottom": "1px solid var(--gray-5)", "list_style": "none", "padding": "10px 0"}


def who(row: ObjectVar[GuestRow]) -> rx.Component:
    return rx.vstack(
        rx.link(
            row.name,
            href=row.contact_href,
            weight="bold",
            min_height="32px",
            display="flex",
            align_items="center",
        ),
        rx.cond(row.company != "", rx.text(row.company, size="2", color="var(--gray-11)")),
        spacing="0",
        min_width="0",
    )


def _mail_link(row: ObjectVar[GuestRow]) -> rx.Component:
    # One tap opens the phone's mail app with the message filled in, and records it sent.
    # In a new browsing context: navigating this page to mailto: fires beforeunload, on
    # which Reflex drops its websocket, and the "sent" event with it.
    return rx.el.a(
        rx.icon("mail", size=18, aria_hidden="true"),
        "Write",
        href=row.mailto,
        target="_blank",
        rel="noopener",
        on_click=InvitationState.sent_by_hand(row.contact_id, row.name),  # type: ignore[operator]
        aria_label="Write to " + row.name.to(str),
        style={
            "display": "inline-flex",
            "align_items": "center",
            "gap": "6px",
            "min_height": TAP,
            "padding": "0 14px",
            "border_radius": "8px",
            "background": "var(--accent-9)",
            "color": "var(--accent-contrast)",
            "font_weight": "600",
            "text_decoration": "none",
        },
    )


def _guest_row(row: ObjectVar[GuestRow]) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                who(row),
                rx.spacer(),
                rx.cond(
                    row.mailto != "",
                    _mail_link(row),
                    rx.badge(
                        row.status_label,
                        rx.cond(row.sent, " · e-mail sent", ""),
                        variant="soft",
                        size="2",
                    ),
                ),
                align="center",
                width="100%",
            ),
            rx.cond(row.send_error != "", rx.text(row.send_error, color="var(--red-11)")),
            rx.cond(
                (row.status != "attended") & (InvitationState.state != "draft"),
                rx.hstack(
                    labelled(
                        "Answer",
                        rx.el.select(
                            *(rx.el.option(text, value=value) for value, text in ANSWERS),
                            value=row.status,
                            on_change=lambda value: InvitationState.answer(row.contact_id, value),  # type: ignore[operator]
                            aria_label="Answer from " + row.name.to(str),
                            style=FIELD_STYLE,
                        ),
                        flex="1",
                    ),
                    rx.el.label(
                        rx.checkbox(
                            checked=InvitationState.chosen.contains(row.contact_id),
                            on_change=lambda ticked: InvitationState.toggle_chosen(  # type: ignore[operator]
                                row.contact_id, ticked
                            ),
                            aria_label=row.name.to(str) + " attended",
                            size="3",
                        ),
                        "Attended",
                        style={
                            "display": "flex",
                            "align_items": "center",
                            "gap": "8px",
                            "min_height": TAP,
                            "padding": "0 8px",
                            "cursor": "pointer",
                        },
                    ),
                    align="end",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        data_guest=row.name,
        style=ROW_STYLE,
    )


def guest_list() -> rx.Component:
    return rx.vstack(
        rx.heading("Guests", as_="h2", size="4", id="guests-heading"),
        rx.cond(
            InvitationState.to_send_by_hand > 0,
            rx.text(
                "Tap Write beside each guest: your mail app opens with the message filled "
                "in, and the invitation is marked sent and put on their timeline.",
                color="var(--gray-11)",
            ),
        ),
        rx.el.ul(
            rx.foreach(InvitationState.invited, _guest_row),
            aria_labelledby="guests-heading",
            style=LIST_STYLE,
        ),
        rx.button(
            rx.icon("users", size=18, aria_hidden="true"),
            "Mark attended (",
            InvitationState.chosen.length(),
            ")",
            on_click=InvitationState.attended,
            disabled=InvitationState.chosen.length() == 0,
            size="3",
            min_height=TAP,
            width="100%",
        ),
        rx.text(
            "Each guest marked attended gets a meeting on their timeline, "
            "which their health counts.",
            size="2",
            color="var(--gray-11)",
        ),
        spacing="3",
        width="100%",
    )
