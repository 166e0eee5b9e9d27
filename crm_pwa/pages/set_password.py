"""The page a one-time link opens: choose a password, and be signed in.

The same page serves a new person's first sign-in and a reset an admin issued.
A used, replaced or expired link says so and what to do instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock, routes
from crm_pwa.components.field import password_input
from crm_pwa.components.shell import loading_rows
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.devices import device_label
from crm_pwa.services import sign_in_links
from crm_pwa.services.auth import SignedIn
from crm_pwa.services.errors import ServiceError
from crm_pwa.state.session import SessionState


def _check(secret: str) -> sign_in_links.LinkHolder:
    with session_scope() as session:
        return sign_in_links.check_link(session, secret=secret, now=clock.now())


def _use(secret: str, password: str, device: str) -> SignedIn:
    with session_scope() as session:
        return sign_in_links.use_link(
            session, secret=secret, password=password, now=clock.now(), label="web", device=device
        )


class SetPasswordState(SessionState):
    holder_name: str = ""
    holder_email: str = ""
    link_error: str = ""
    error: str = ""
    checked: bool = False

    def _secret(self) -> str:
        # Reflex installs the route's [secret] as a state var at runtime.
        return str(getattr(self, "secret", ""))

    @rx.event
    async def load(self) -> None:
        self.checked = False
        self.error = ""
        try:
            holder = await asyncio.to_thread(_check, self._secret())
        except ServiceError as refused:
            self.link_error = refused.message
        else:
            self.link_error = ""
            self.holder_name = holder.name
            self.holder_email = holder.email
        self.checked = True

    @rx.event
    async def submit(self, form: dict[str, Any]) -> EventSpec | None:
        password = str(form.get("password", ""))
        if password != str(form.get("repeat", "")):
            self.error = "The two passwords differ: type the same one twice."
            return None
        try:
            # argon2 takes a core for a third of a second: off the event loop.
            signed_in = await asyncio.to_thread(
                _use, self._secret(), password, device_label(self.router.headers.user_agent)
            )
        except ServiceError as refused:
            self.error = refused.message
            return None
        self.error = ""
        self.token = signed_in.token
        self._remember(signed_in.actor)
        return rx.redirect(routes.TODAY)


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Welcome, ", rx.text.strong(SetPasswordState.holder_name), "."),
            rx.text(
                "Choose a password of at least 12 characters that you use nowhere else.",
                color="var(--gray-11)",
            ),
            # For password managers: the account this password belongs to.
            rx.el.input(
                type="hidden",
                name="username",
                value=SetPasswordState.holder_email,
                auto_complete="username",
            ),
            password_input("New password", "password", "new-password"),
            password_input("Repeat the new password", "repeat", "new-password"),
            rx.cond(
                SetPasswordState.error != "",
                rx.callout(
                    SetPasswordState.error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.button(
                "Set password and sign in",
                type="submit",
                size="4",
                width="100%",
                min_height="48px",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=SetPasswordState.submit,
        reset_on_submit=False,
        width="100%",
    )


def set_password_page() -> rx.Component:
    return rx.el.main(
        rx.vstack(
            rx.heading("Choose your password", size="7", as_="h1"),
            rx.cond(
                SetPasswordState.checked,
                rx.cond(
                    SetPasswordState.link_error != "",
                    rx.vstack(
                        rx.callout(
                            SetPasswordState.link_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                        # A page load: the sign-in page is the server's, not React's.
                        rx.el.a(
                            "Go to sign-in",
                            href=routes.SIGN_IN,
                            color="var(--accent-11)",
                            font_weight="500",
                            min_height="48px",
                            display="flex",
                            align_items="center",
                        ),
                        width="100%",
                    ),
                    _form(),
                ),
                loading_rows(),
            ),
            spacing="4",
            width="100%",
            max_width="400px",
            padding="24px",
        ),
        style={
            "display": "flex",
            "justify_content": "center",
            "align_items": "center",
            "min_height": "100vh",
        },
    )
