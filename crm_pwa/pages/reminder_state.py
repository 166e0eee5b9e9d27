"""Reminders on this phone: the devices that get them, the hours and the time zone,
as the Settings page shows them (the view is in settings.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.components.phone_zone import PHONE_ZONE_JS
from crm_pwa.components.when import short_date
from crm_pwa.components.zone_picker import ZoneRegion, zone_regions
from crm_pwa.domain.days import local_day
from crm_pwa.domain.zones import canonical_zone, offered_zones, zone_label
from crm_pwa.services import push
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.state.session import SessionState, in_database

# push.js may not be on the page yet (it is loaded on demand, not in the head):
# load it, then call it; any failure comes back as a message, not a silent stop.
_LOAD_PUSH_JS = (
    "(window.rapportPush ? Promise.resolve() : new Promise((resolve, reject) => {"
    " const script = document.createElement('script'); script.src = '/push.js';"
    " script.onload = resolve;"
    " script.onerror = () => reject(new Error('the reminders script did not load'));"
    " document.head.appendChild(script); }))"
)


def push_call(method: str) -> str:
    return (
        f"{_LOAD_PUSH_JS}.then(() => window.rapportPush.{method}())"
        ".catch((error) => ({ok: false, state: 'failed', message: String(error.message)}))"
    )


@dataclass(frozen=True)
class DeviceView:
    id: str
    label: str
    added: str


class ReminderState(SessionState):
    devices: list[DeviceView] = []
    reminder_time: str = "09:00"
    quiet_start: str = "20:00"
    quiet_end: str = "08:00"
    time_zone: str = "UTC"
    zone_regions: list[ZoneRegion] = []
    # The zone this phone is set to, when it is one a rep can pick.
    phone_zone: str = ""
    phone_zone_label: str = ""
    form_key: int = 0
    loaded: bool = False
    # What push.js said about this browser: "", ready, granted, denied, unsupported, ...
    push_state: str = ""
    push_message: str = ""
    notice: str = ""
    notice_is_error: bool = False

    @rx.var
    def can_turn_on(self) -> bool:
        return self.push_state not in ("unsupported", "ios-home-screen")

    @rx.event
    async def load(self) -> EventSpec | list[EventSpec]:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        await self._reload(actor)
        return [
            rx.call_script(push_call("support"), callback=ReminderState.show_support),
            rx.call_script(PHONE_ZONE_JS, callback=ReminderState.got_phone_zone),
        ]

    @rx.event
    def got_phone_zone(self, zone: Any) -> None:
        name = canonical_zone(str(zone or ""))
        offered = name in offered_zones()
        self.phone_zone = name if offered else ""
        self.phone_zone_label = zone_label(name, clock.now()) if offered else ""

    @rx.var
    def offer_phone_zone(self) -> bool:
        return self.phone_zone != "" and self.phone_zone != self.time_zone

    @rx.event
    async def use_phone_zone(self) -> EventSpec | None:
        return await self._save_hours(
            {
                "reminder_time": self.reminder_time,
                "quiet_start": self.quiet_start,
                "quiet_end": self.quiet_end,
                "time_zone": self.phone_zone,
            }
        )

    async def _reload(self, actor: Actor) -> None:
        devices, hours = await in_database(
            lambda session: (
                push.list_devices(session=session, actor=actor),
                push.reminder_settings(session=session, actor=actor),
            )
        )
        today = local_day(clock.now(), hours.time_zone)
        self.devices = [
            DeviceView(
                id=str(device.id),
                label=device.label,
                added=f"Added {short_date(local_day(device.created_at, hours.time_zone), today)}",
            )
            for device in devices
        ]
        self.reminder_time = hours.reminder_time.strftime("%H:%M")
        self.quiet_start = hours.quiet_start.strftime("%H:%M")
        self.quiet_end = hours.quiet_end.strftime("%H:%M")
        self.time_zone = hours.time_zone
        self.zone_regions = zone_regions()
        self.form_key += 1
        self.loaded = True

    def _say(self, message: str, *, error: bool = False) -> None:
        self.notice = message
        self.notice_is_error = error

    def _take_support(self, result: dict[str, Any]) -> None:
        self.push_state = str(result.get("state", ""))
        self.push_message = "" if result.get("ok") else str(result.get("message", ""))

    @rx.event
    def show_support(self, result: dict[str, Any]) -> None:
        self._take_support(result)

    @rx.event
    async def turned_on(self, result: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self._take_support(result)
        self._say(str(result.get("message", "")), error=not result.get("ok"))
        await self._reload(actor)
        return None

    @rx.event
    async def remove_device(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        try:
            device = uuid.UUID(str(form.get("device_id", "")))
            await in_database(
                lambda session: push.remove_device(session=session, actor=actor, device_id=device)
            )
        except ValueError:
            self._say("Device not found.", error=True)
        except ServiceError as refused:
            self._say(refused.message, error=True)
        else:
            self._say("Device removed: it gets no more reminders.")
        await self._reload(actor)
        return None

    @rx.event
    async def send_test(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()

        def send(session: Session) -> push.TestReminderReport:
            # The push services are other servers: their answer is awaited off the loop too.
            with httpx.Client() as client:
                return push.send_test_reminder(session=session, actor=actor, client=client)

        try:
            report = await in_database(send)
        except ServiceError as refused:
            self._say(refused.message, error=True)
            return None
        words = f"Test reminder sent to {report.sent} of {report.devices} devices."
        if report.removed:
            words += f" {report.removed} no longer subscribed and removed."
        self._say(words, error=report.sent == 0)
        await self._reload(actor)
        return None

    @rx.event
    async def save_hours(self, form: dict[str, Any]) -> EventSpec | None:
        return await self._save_hours(form)

    async def _save_hours(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        try:
            await in_database(
                lambda session: push.update_reminder_settings(
                    session=session,
                    actor=actor,
                    reminder_time=str(form.get("reminder_time", "")),
                    quiet_start=str(form.get("quiet_start", "")),
                    quiet_end=str(form.get("quiet_end", "")),
                    time_zone=str(form.get("time_zone", "")),
                )
            )
        except ServiceError as refused:
            self._say(refused.message, error=True)
            return None
        self._say("Reminder hours and time zone saved.")
        await self._reload(actor)
        return None
