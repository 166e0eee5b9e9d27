"""The contact card: everything to read before a meeting, and what to do after it."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.complaint_item import complaint_item
from crm_pwa.components.contact_header import (
    ContactHeader,
    details_section,
    health_section,
    identity,
    reach_actions,
    remember,
)
from crm_pwa.components.field import (
    TAP,
    field_problem,
    labelled,
    submit_button,
    text_box,
    text_input,
)
from crm_pwa.components.follow_up_item import follow_up_item, undo_bar
from crm_pwa.components.note_sheet import note_sheet
from crm_pwa.components.opportunity_item import (
    opportunity_fields,
    opportunity_item,
)
from crm_pwa.components.outbox_script import RELOAD_BUTTON_ID
from crm_pwa.components.section import folded, problem, section
from crm_pwa.components.shell import back_link, loading_rows, page_shell, two_columns
from crm_pwa.components.timeline_entry import timeline_entry
from crm_pwa.pages.contact_merge import merge_section
from crm_pwa.pages.contact_state import (
    ContactState,
)
from crm_pwa.pages.contacts import contact_list


def _follow_ups() -> rx.Component:
    return section(
        "Follow-ups",
        problem(ContactState.follow_up_error),
        undo_bar(),
        rx.foreach(
            ContactState.follow_ups,
            lambda item: follow_up_item(item, ContactState.reschedule),
        ),
        rx.cond(
            ContactState.follow_ups.length() == 0,
            rx.text("No open follow-ups.", color="var(--gray-11)"),
        ),
    )


def _complaints() -> rx.Component:
    return section(
        "Complaints",
        folded(
            "Log a complaint",
            rx.form(
                labelled("What is wrong", text_box("summary", rows=2, required=True)),
                submit_button("Log complaint", margin_top="8px"),
                on_submit=ContactState.add_complaint,
                reset_on_submit=True,
            ),
        ),
        problem(ContactState.complaint_error),
        rx.foreach(
            ContactState.complaints, lambda item: complaint_item(item, ContactState.resolve)
        ),
    )


def _opportunity_problem(form_id: str | Var[str], name: str) -> rx.Component:
    """The refusal of field `name` in the opportunity form `form_id` ("new" or an id)."""
    return field_problem(
        (ContactState.opportunity_error_for == form_id)
        & (ContactState.opportunity_error_field == name),
        ContactState.opportunity_error,
    )


def _opportunities() -> rx.Component:
    return section(
        "Opportunities",
        folded(
            "Add an opportunity",
            rx.form(
                labelled("Title", text_input("title", required=True)),
                _opportunity_problem("new", "title"),
                opportunity_fields("lead", "", "", lambda name: _opportunity_problem("new", name)),
                submit_button("Add opportunity"),
                on_submit=ContactState.add_opportunity,
                # Kept on a refusal so nothing typed is lost; drawn again empty once added.
                reset_on_submit=False,
                key=ContactState.new_opportunity_key,
                style={"display": "flex", "flex_direction": "column", "gap": "8px"},
            ),
        ),
        # A refusal not about one field (the contact is gone, say) shows above the list.
        problem(
            rx.cond(ContactState.opportunity_error_field == "", ContactState.opportunity_error, "")
        ),
        rx.foreach(
            ContactState.opportunities,
            lambda item: opportunity_item(
                item, ContactState.save_opportunity, _opportunity_problem
            ),
        ),
    )


def _timeline() -> rx.Component:
    return section(
        "Timeline",
        rx.el.ol(
            rx.foreach(ContactState.timeline, timeline_entry),
            style={"margin": "0", "padding": "0", "display": "flex", "flex_direction": "column"},
            aria_label="Timeline, newest first",
        ),
        rx.cond(
            ContactState.timeline.length() == 0,
            rx.text("Nothing logged yet.", color="var(--gray-11)"),
        ),
    )


def _edit_and_erase(header: ObjectVar[ContactHeader]) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.link("Edit", href=header.edit_href, underline="none"),
            as_child=True,
            size="3",
            min_height=TAP,
            variant="soft",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button("Delete", size="3", min_height=TAP, variant="soft", color_scheme="red"),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Erase this contact?"),
                rx.alert_dialog.description(
                    "This erases ",
                    header.name,
                    " and the whole history: notes, follow-ups, complaints and "
                    "opportunities. It cannot be undone.",
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button(
                            "Keep", size="3", min_height=TAP, variant="soft", color_scheme="gray"
                        ),
                    ),
                    rx.alert_dialog.action(
                        rx.button(
                            "Erase",
                            size="3",
                            min_height=TAP,
                            color_scheme="red",
                            on_click=ContactState.erase,
                        ),
                    ),
                    justify="end",
                    spacing="2",
                    padding_top="12px",
                ),
            ),
        ),
        spacing="2",
    )


def _export() -> rx.Component:
    return rx.vstack(
        rx.button(
            rx.icon("file-down", size=18, aria_hidden="true"),
            "Export everything about this person",
            on_click=ContactState.export_person,
            variant="soft",
            size="3",
            min_height=TAP,
            width="100%",
        ),
        rx.text(ContactState.export_message, role="status", size="2"),
        spacing="1",
        width="100%",
    )


def _card() -> rx.Component:
    # Read on the class, a state var is a Var of its value, with one Var per field.
    header = cast(ObjectVar[ContactHeader], ContactState.header)
    return rx.vstack(
        identity(header),
        remember(header),
        reach_actions(header),
        _follow_ups(),
        _complaints(),
        _opportunities(),
        health_section(header),
        _timeline(),
        details_section(header),
        _export(),
        merge_section(),
        _edit_and_erase(header),
        note_sheet(ContactState.card_id, header.name),
        spacing="5",
        width="100%",
        # The card the server sent: offline.js leaves it in place when the signal drops.
        data_live_card=ContactState.card_id,
    )


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.callout("Contact not found.", icon="search-x", color_scheme="red", role="alert"),
        rx.link(
            "Back to contacts",
            href=routes.CONTACTS,
            min_height=TAP,
            display="flex",
            align_items="center",
        ),
        spacing="3",
    )


def contact_page() -> rx.Component:
    return page_shell(
        rx.cond(ContactState.found, ContactState.header.name, "Contact"),
        two_columns(
            contact_list(),
            rx.box(
                rx.cond(
                    ContactState.found,
                    _card(),
                    rx.cond(
                        ContactState.missing,
                        _not_found(),
                        # offline.js draws the card from the book while this waits with no signal.
                        loading_rows(data_card_loading=""),
                    ),
                ),
                # Pressed by the outbox scripts once a change reached the server.
                rx.el.button(
                    "Reload the card",
                    id=RELOAD_BUTTON_ID,
                    type="button",
                    hidden=True,
                    on_click=ContactState.reload,
                ),
                data_today=ContactState.today,
                width="100%",
            ),
            "Contacts",
        ),
        back=back_link("Back to contacts", routes.CONTACTS),
    )
