"""Settings, "Your data": the contact book as a file, and follow-ups in the phone's calendar."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import reflex as rx
from reflex.event import EventSpec
from reflex_base.event import set_clipboard

from crm_pwa import clock
from crm_pwa.components.download import download_script
from crm_pwa.components.field import FIELD_STYLE, TAP, labelled
from crm_pwa.components.when import short_date
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import local_day
from crm_pwa.services import calendar_feed
from crm_pwa.services.actor import Actor
from crm_pwa.state.session import SessionState

VCARD_PATH = "/api/v1/export/contacts.vcf"
CSV_PATH = "/api/v1/export/contacts.csv"


class DataState(SessionState):
    feed_active: bool = False
    feed_made: str = ""
    # The address, only right after it was made: the server keeps no copy to show later.
    feed_url: str = ""
    data_notice: str = ""
    data_notice_is_error: bool = False

    @rx.var
    def subscribe_href(self) -> str:
        return "webcal://" + self.feed_url.split("://", 1)[-1] if self.feed_url else ""

    @rx.event
    async def load_data(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        # Shown once: coming back to Settings does not show the address again.
        self.feed_url = ""
        self.data_notice = ""
        await self._read_feed(actor)
        return None

    async def _read_feed(self, actor: Actor) -> None:
        status = await asyncio.to_thread(_feed_status, actor)
        self.feed_active = status.active
        today = local_day(clock.now(), actor.time_zone)
        made = status.created_at
        self.feed_made = (
            f"Made {short_date(local_day(made, actor.time_zone), today)}" if made else ""
        )

    def _base_url(self) -> str:
        page = urlsplit(str(self.router.url))
        return f"{page.scheme}://{page.netloc}"

    def _download(self, path: str) -> EventSpec:
        self.data_notice = ""
        return rx.call_script(download_script(path), callback=DataState.downloaded)

    @rx.event
    def download_vcard(self) -> EventSpec:
        return self._download(VCARD_PATH)

    @rx.event
    def download_csv(self) -> EventSpec:
        return self._download(CSV_PATH)

    @rx.event
    def downloaded(self, result: dict[str, Any]) -> None:
        self.data_notice = str(result.get("message", ""))
        self.data_notice_is_error = not result.get("ok")

    @rx.event
    async def make_feed(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.feed_url = await asyncio.to_thread(_new_feed, actor, self._base_url())
        await self._read_feed(actor)
        self.data_notice = "New calendar address made: any older one no longer works."
        self.data_notice_is_error = False
        return None

    @rx.event
    async def stop_feed(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        await asyncio.to_thread(_stop_feed, actor)
        self.feed_url = ""
        await self._read_feed(actor)
        self.data_notice = "Calendar address turned off: calendars get nothing more from it."
        self.data_notice_is_error = False
        return None


def _feed_status(actor: Actor) -> calendar_feed.FeedStatus:
    with session_scope() as session:
        return calendar_feed.feed_status(session=session, actor=actor)


def _new_feed(actor: Actor, base_url: str) -> str:
    with session_scope() as session:
        return calendar_feed.new_feed(
            session=session, actor=actor, base_url=base_url, now=clock.now()
        ).url


def _stop_feed(actor: Actor) -> None:
    with session_scope() as session:
        calendar_feed.stop_feed(session=session, actor=actor, now=clock.now())


def _notice() -> rx.Component:
    return rx.cond(
        DataState.data_notice != "",
        rx.callout(
            DataState.data_notice,
            icon=rx.cond(DataState.data_notice_is_error, "triangle-alert", "check"),
            color_scheme=rx.cond(DataState.data_notice_is_error, "red", "green"),
            role=rx.cond(DataState.data_notice_is_error, "alert", "status"),
        ),
    )


def _download_button(label: str, on_click: Any) -> rx.Component:
    return rx.button(
        rx.icon("download", size=18, aria_hidden="true"),
        label,
        on_click=on_click,
        variant="soft",
        size="3",
        min_height=TAP,
        width="100%",
    )


def _new_address() -> rx.Component:
    return rx.vstack(
        labelled(
            "Calendar address",
            rx.el.input(value=DataState.feed_url, read_only=True, style=FIELD_STYLE),
            width="100%",
        ),
        rx.text(
            "Copy it now: for your privacy it is not shown again. Anyone with it sees your "
            "follow-ups, so keep it to your own calendar.",
            size="2",
            color="var(--gray-11)",
        ),
        rx.hstack(
            rx.button(
                rx.link("Subscribe on this phone", href=DataState.subscribe_href, underline="none"),
                as_child=True,
                size="3",
                min_height=TAP,
                flex="1",
            ),
            rx.button(
                "Copy address",
                on_click=set_clipboard(DataState.feed_url),
                variant="soft",
                size="3",
                min_height=TAP,
                flex="1",
            ),
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _calendar() -> rx.Component:
    return rx.vstack(
        rx.heading("Follow-ups in your calendar", as_="h3", size="3"),
        rx.text(
            "Your open follow-ups as all-day events on the day they are due (snoozed ones on "
            "their new day), in any calendar app that subscribes to an address.",
            size="2",
            color="var(--gray-11)",
        ),
        rx.cond(DataState.feed_url != "", _new_address()),
        rx.cond(
            DataState.feed_active,
            rx.vstack(
                rx.text("Calendar address: on. ", DataState.feed_made, ".", size="2"),
                rx.button(
                    "Make a new calendar address",
                    on_click=DataState.make_feed,
                    variant="soft",
                    size="3",
                    min_height=TAP,
                    width="100%",
                ),
                rx.button(
                    "Turn off the calendar address",
                    on_click=DataState.stop_feed,
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    min_height=TAP,
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            rx.button(
                rx.icon("calendar-plus", size=18, aria_hidden="true"),
                "Make a calendar address",
                on_click=DataState.make_feed,
                size="3",
                min_height=TAP,
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def data_section() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Your data", as_="h2", size="4", id="data-heading"),
            rx.text(
                "Every contact you can see, for your phone's address book (vCard) or a "
                "spreadsheet (CSV).",
                size="2",
                color="var(--gray-11)",
            ),
            rx.grid(
                _download_button("Download contacts (vCard)", DataState.download_vcard),
                _download_button("Download contacts (CSV)", DataState.download_csv),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="2",
                width="100%",
            ),
            _notice(),
            _calendar(),
            spacing="3",
            width="100%",
        ),
        aria_labelledby="data-heading",
        on_mount=DataState.load_data,
        width="100%",
    )
