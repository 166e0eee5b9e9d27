"""Settings' "Change password": the current one, then the new one twice."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock
from crm_pwa.components.field import TAP, password_input
from crm_pwa.components.notice import notice
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.devices import device_label
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.own_password import change_own_password
from crm_pwa.state.session import SessionState


def _change(actor: Actor, old: str, new: str, token: str, device: str) -> None:
    with session_scope() as session:
        change_own_password(
            session=session,
            actor=actor,
            old=old,
            new=new,
            now=clock.now(),
            token=token,
            device=device,
        )


class PasswordState(SessionState):
    password_notice: str = ""
    password_notice_is_error: bool = False
    password_key: int = 0

    @rx.event
    async def change(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        new = str(form.get("new_password", ""))
        if new != str(form.get("repeat_password", "")):
            self.password_notice = "The two new passwords differ: type the same one twice."
            self.password_notice_is_error = True
            return None
        try:
            await asyncio.to_thread(
                _change,
                actor,
                str(form.get("old_password", "")),
                new,
                self.token,
                device_label(self.router.headers.user_agent),
            )
        except ServiceError as refused:
            self.password_notice = refused.message
            self.password_notice_is_error = True
            return None
        self.password_notice = "Password changed. Your other devices are signed out."
        self.password_notice_is_error = False
        self.password_key += 1
        return None


def password_section() -> rx.Component:
    return rx.el.section(
        rx.form(
            rx.vstack(
                rx.heading("Change password", as_="h2", size="4", id="password-heading"),
                password_input("Current password", "old_password", "current-password"),
                password_input("New password", "new_password", "new-password"),
                password_input("Repeat the new password", "repeat_password", "new-password"),
                rx.text(
                    "At least 12 characters; common passwords are refused.",
                    size="2",
                    color="var(--gray-11)",
                ),
                notice(PasswordState.password_notice, PasswordState.password_notice_is_error),
                rx.button("Change password", type="submit", min_height=TAP, size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=PasswordState.change,
            reset_on_submit=True,
            key=PasswordState.password_key,
            width="100%",
        ),
        aria_labelledby="password-heading",
        width="100%",
    )
