"""Settings: the signed-in account, its sessions, push reminders and the rep's data."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.button_link import button_link
from crm_pwa.components.field import FIELD_STYLE, TAP, labelled
from crm_pwa.components.import_link import import_link
from crm_pwa.components.people_links import people_links
from crm_pwa.components.shell import loading_rows, page_shell
from crm_pwa.components.zone_picker import zone_group
from crm_pwa.pages.password_section import password_section
from crm_pwa.pages.reminder_state import DeviceView, ReminderState, push_call
from crm_pwa.pages.settings_data import data_section
from crm_pwa.state.session import SessionState


def _device_row(device: ObjectVar[DeviceView]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.text(device.label, weight="medium"),
                rx.text(device.added, size="2", color="var(--gray-11)"),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.form(
                rx.el.input(type="hidden", name="device_id", value=device.id),
                rx.button(
                    "Remove",
                    type="submit",
                    aria_label="Remove " + device.label.to(str),
                    variant="soft",
                    color_scheme="red",
                    min_height=TAP,
                ),
                on_submit=ReminderState.remove_device,
                reset_on_submit=False,
            ),
            align="center",
            width="100%",
        ),
        padding="8px 0",
        border_bottom="1px solid var(--gray-5)",
        list_style="none",
    )


def _time_field(label: str, name: str, value: Any) -> rx.Component:
    return labelled(
        label,
        rx.el.input(type="time", name=name, default_value=value, required=True, style=FIELD_STYLE),
        flex="1",
    )


def _phone_zone_offer() -> rx.Component:
    return rx.cond(
        ReminderState.offer_phone_zone,
        rx.callout.root(
            rx.callout.text(
                "This phone is set to ",
                rx.text.strong(ReminderState.phone_zone_label),
                "; your days and reminders follow ",
                rx.text.strong(ReminderState.time_zone),
                ".",
            ),
            rx.button(
                "Use this phone's zone",
                on_click=ReminderState.use_phone_zone,
                min_height=TAP,
                width="100%",
            ),
            color_scheme="blue",
            role="note",
            width="100%",
        ),
    )


def _hours_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _time_field("Reminder time", "reminder_time", ReminderState.reminder_time),
            rx.hstack(
                _time_field("Quiet from", "quiet_start", ReminderState.quiet_start),
                _time_field("Quiet until", "quiet_end", ReminderState.quiet_end),
                width="100%",
            ),
            labelled(
                "Time zone",
                rx.el.select(
                    rx.foreach(ReminderState.zone_regions, zone_group),
                    name="time_zone",
                    default_value=ReminderState.time_zone,
                    style=FIELD_STYLE,
                ),
                width="100%",
            ),
            rx.text(
                "Follow-ups due today are reminded at the reminder time, overdue ones as soon "
                "as your quiet hours end. The same start and end means no quiet hours.",
                size="2",
                color="var(--gray-11)",
            ),
            rx.button("Save reminder hours", type="submit", min_height=TAP, width="100%"),
            spacing="3",
            width="100%",
        ),
        on_submit=ReminderState.save_hours,
        reset_on_submit=False,
        key=ReminderState.form_key,
        width="100%",
    )


def _notice() -> rx.Component:
    return rx.cond(
        ReminderState.notice != "",
        rx.cond(
            ReminderState.notice_is_error,
            rx.callout(
                ReminderState.notice, icon="triangle-alert", color_scheme="red", role="alert"
            ),
            rx.callout(ReminderState.notice, icon="check", color_scheme="green", role="status"),
        ),
    )


def reminders_section() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Reminders", as_="h2", size="4", id="reminders-heading"),
            rx.text(
                "A notification on this phone when a promised call-back is due: at most once a "
                "day per follow-up, never in your quiet hours.",
                size="2",
                color="var(--gray-11)",
            ),
            rx.cond(
                ReminderState.push_message != "",
                rx.callout(
                    ReminderState.push_message, icon="bell-off", color_scheme="amber", role="note"
                ),
            ),
            rx.button(
                rx.icon("bell-ring", size=18, aria_hidden="true"),
                "Turn on reminders",
                on_click=rx.call_script(push_call("enable"), callback=ReminderState.turned_on),
                disabled=~ReminderState.can_turn_on,
                size="3",
                min_height=TAP,
                width="100%",
            ),
            _notice(),
            rx.heading("Devices that get reminders", as_="h3", size="3"),
            rx.cond(
                ReminderState.devices.length() > 0,  # type: ignore[attr-defined]
                rx.el.ul(rx.foreach(ReminderState.devices, _device_row), padding="0", margin="0"),
                rx.text("None yet.", size="2", color="var(--gray-11)"),
            ),
            rx.button(
                "Send me a test reminder",
                on_click=ReminderState.send_test,
                disabled=ReminderState.devices.length() == 0,  # type: ignore[attr-defined]
                variant="soft",
                size="3",
                min_height=TAP,
                width="100%",
            ),
            rx.heading("Reminder hours", as_="h3", size="3"),
            _phone_zone_offer(),
            # Rendered once the saved hours are in: the form's fields start from them.
            rx.cond(ReminderState.loaded, _hours_form(), loading_rows()),
            spacing="3",
            width="100%",
        ),
        aria_labelledby="reminders-heading",
        on_mount=ReminderState.load,
        width="100%",
    )


def settings_page() -> rx.Component:
    return page_shell(
        "Settings",
        rx.vstack(
            rx.text("Signed in as ", rx.text.strong(SessionState.user_name)),
            reminders_section(),
            password_section(),
            rx.cond(SessionState.is_manager, people_links()),
            rx.heading("Invitations", as_="h2", size="4"),
            button_link("Events and campaigns", "calendar-heart", routes.INVITATIONS),
            rx.heading("Contacts", as_="h2", size="4"),
            import_link("Import contacts"),
            data_section(),
            rx.heading("Account", as_="h2", size="4"),
            rx.button(
                "Sign out",
                on_click=SessionState.sign_out,
                size="3",
                min_height="48px",
                width="100%",
                variant="soft",
            ),
            rx.button(
                "Sign out on every device",
                on_click=SessionState.sign_out_everywhere,
                size="3",
                min_height="48px",
                width="100%",
                color_scheme="red",
                variant="soft",
            ),
            spacing="5",
            width="100%",
        ),
    )
