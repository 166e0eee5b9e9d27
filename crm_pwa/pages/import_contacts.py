"""Import: contacts from a vCard or CSV file, or picked from the phone's own contacts."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.field import FIELD_STYLE, TAP
from crm_pwa.components.shell import page_shell
from crm_pwa.pages.import_state import UPLOAD_ID, ColumnView, ImportState, LineErrorView

INTRO = (
    "Bring in the contacts from your phone, Google Contacts, Outlook or a spreadsheet: "
    "a vCard (.vcf) or CSV file of up to 20 MB. People you already have (same e-mail or "
    "phone) are completed, never added twice."
)
# The Contact Picker API exists in Chrome on Android only; elsewhere the button stays hidden.
PICKER_CHECK = "'contacts' in navigator && 'ContactsManager' in window"


def _picker() -> rx.Component:
    return rx.cond(
        ImportState.picker,
        rx.button(
            rx.icon("contact", aria_hidden="true"),
            "Pick from this phone's contacts",
            on_click=rx.call_script("window.rapportPickContacts()", callback=ImportState.picked),
            size="3",
            min_height=TAP,
            width="100%",
            variant="soft",
        ),
    )


def _name_file_input(component: rx.Component, name: str) -> rx.Component:
    """Gives the drop zone's file input an accessible name: rx.upload makes it bare."""
    for child in component.children:
        if not isinstance(child, rx.Component):
            continue
        if child.tag == "input":
            child.custom_attrs["aria-label"] = name
        else:
            _name_file_input(child, name)
    return component


def _chooser() -> rx.Component:
    zone = rx.upload(
        rx.vstack(
            rx.button(
                rx.icon("file-up", aria_hidden="true"),
                "Choose a file",
                size="3",
                min_height=TAP,
                width="100%",
                type="button",
            ),
            rx.text("or drop a .vcf or .csv file here", size="2", color="var(--gray-11)"),
            align="center",
            width="100%",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        # Reflex types a handler read on its class as a namespace; called, it is an event.
        on_drop=ImportState.upload(  # type: ignore[operator]
            rx.upload_files(
                upload_id=UPLOAD_ID,
                on_upload_progress=ImportState.upload_progress,  # type: ignore[arg-type]
            )
        ),
        border="1px dashed var(--gray-8)",
        border_radius="12px",
        padding="16px",
        width="100%",
    )
    return _name_file_input(zone, "Contacts file (.vcf or .csv)")


def _progress() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ImportState.uploading,
            rx.vstack(
                rx.text("Uploading ", ImportState.file_name, "… ", ImportState.progress, " %"),
                rx.progress(value=ImportState.progress, max=100, aria_label="Upload progress"),
                width="100%",
            ),
        ),
        rx.cond(
            ImportState.working,
            rx.hstack(
                rx.spinner(size="2"),
                rx.text("Reading ", ImportState.file_name, "… you can keep using the app."),
                align="center",
                role="status",
            ),
        ),
        width="100%",
    )


def _column(column: ObjectVar[ColumnView]) -> rx.Component:
    return rx.el.label(
        rx.text(column.name, weight="bold", size="2"),
        rx.cond(column.examples != "", rx.text(column.examples, size="1", color="var(--gray-11)")),
        rx.el.select(
            rx.foreach(
                ImportState.field_options,
                lambda option: rx.el.option(option[1], value=option[0]),
            ),
            value=column.field,
            on_change=lambda field: ImportState.map_column(  # type: ignore[operator]
                column.name, field
            ),
            style=FIELD_STYLE,
        ),
        key=column.name,
        display="flex",
        flex_direction="column",
        gap="4px",
        width="100%",
    )


def _mapping() -> rx.Component:
    return rx.cond(
        ImportState.format == "csv",
        rx.el.section(
            rx.heading("Columns", as_="h3", size="3"),
            rx.text(
                "Each column of the file and what it fills in, with its first values. "
                "Change any that is wrong; the counts above follow.",
                size="2",
                color="var(--gray-11)",
            ),
            rx.grid(
                rx.foreach(ImportState.columns, _column),
                columns=rx.breakpoints(initial="1", md="2"),
                gap="12px",
                width="100%",
            ),
            style={"display": "flex", "flex_direction": "column", "gap": "8px", "width": "100%"},
        ),
    )


def _line_error(problem: ObjectVar[LineErrorView]) -> rx.Component:
    return rx.el.li(rx.text.strong("Line ", problem.line.to_string(), ": "), problem.error)


def _counts(done: bool) -> rx.Component:
    created, updated = ("created", "updated") if done else ("to create", "to update")
    return rx.el.ul(
        rx.el.li(rx.text.strong(ImportState.created), f" {created}"),
        rx.el.li(rx.text.strong(ImportState.updated), f" {updated}"),
        rx.el.li(rx.text.strong(ImportState.skipped), " already up to date"),
        rx.el.li(rx.text.strong(ImportState.errors.length()), " with problems"),
        style={"margin": "0", "padding_left": "20px"},
    )


def _problems() -> rx.Component:
    return rx.cond(
        ImportState.errors.length() > 0,
        rx.el.section(
            rx.heading("Lines not imported", as_="h3", size="3"),
            rx.el.ul(rx.foreach(ImportState.errors, _line_error), style={"padding_left": "20px"}),
            width="100%",
        ),
    )


def _preview() -> rx.Component:
    return rx.el.section(
        rx.heading("Preview of ", ImportState.file_name, as_="h2", size="4"),
        _counts(done=False),
        _mapping(),
        _problems(),
        rx.button(
            "Import",
            on_click=ImportState.run_import,
            disabled=ImportState.working | (ImportState.created + ImportState.updated == 0),
            size="3",
            min_height=TAP,
            width="100%",
        ),
        rx.button(
            "Choose another file",
            on_click=ImportState.start_over,
            size="3",
            min_height=TAP,
            width="100%",
            variant="soft",
        ),
        aria_live="polite",
        style={"display": "flex", "flex_direction": "column", "gap": "12px", "width": "100%"},
    )


def _report() -> rx.Component:
    return rx.el.section(
        rx.heading("Import done", as_="h2", size="4"),
        _counts(done=True),
        _problems(),
        rx.link(
            "Open your contacts",
            href=routes.CONTACTS,
            min_height=TAP,
            display="flex",
            align_items="center",
        ),
        rx.button(
            "Import another file",
            on_click=ImportState.start_over,
            size="3",
            min_height=TAP,
            width="100%",
            variant="soft",
        ),
        role="status",
        style={"display": "flex", "flex_direction": "column", "gap": "12px", "width": "100%"},
    )


def import_page() -> rx.Component:
    return page_shell(
        "Import contacts",
        rx.vstack(
            rx.text(INTRO, size="2", color="var(--gray-11)"),
            rx.cond(
                ImportState.previewed,
                rx.cond(ImportState.imported, _report(), _preview()),
                rx.vstack(_picker(), _chooser(), width="100%", spacing="3"),
            ),
            _progress(),
            rx.cond(
                ImportState.error != "",
                rx.callout(
                    ImportState.error, icon="triangle-alert", color_scheme="red", role="alert"
                ),
            ),
            on_mount=rx.call_script(PICKER_CHECK, callback=ImportState.offer_picker),
            spacing="4",
            width="100%",
        ),
    )
