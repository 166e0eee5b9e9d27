"""Sign in: email and password, big fields, one button."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock, routes
from crm_pwa.components.phone_zone import PHONE_ZONE_JS
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.deep_link import HOME, NEXT, safe_next
from crm_pwa.domain.devices import device_label
from crm_pwa.services import auth, push
from crm_pwa.services.errors import ServiceError
from crm_pwa.state.session import SessionState

DEVICE_KEY = "rapport_device"


def _sign_in(
    email: str, password: str, client: str, device_token: str, phone_zone: str, device: str
) -> auth.SignedIn:
    with session_scope() as session:
        signed_in = auth.sign_in(
            session=session,
            email=email,
            password=password,
            now=clock.now(),
            label="web",
            client=client,
            device_token=device_token,
            device=device,
        )
        push.adopt_phone_zone(session=session, actor=signed_in.actor, phone_zone=phone_zone)
        return signed_in


class SignInState(SessionState):
    error: str = ""
    # This browser's device id (docs/sign-in.md): it keeps the owner's way in
    # while someone else hammers the address. Sign-out keeps it.
    device: str = rx.LocalStorage(name=DEVICE_KEY, sync=True)
    # The phone's own zone: a rep who never chose one starts with it, not with UTC.
    phone_zone: str = ""

    @rx.event
    def got_phone_zone(self, zone: Any) -> None:
        self.phone_zone = str(zone or "")[:64]

    @rx.event
    async def skip_if_signed_in(self) -> EventSpec | None:
        actor = await self._actor_off_loop() if self.token else None
        if actor is not None:
            return rx.redirect(self._next_page(actor.role))
        return None

    @rx.event
    async def submit(self, form: dict[str, Any]) -> EventSpec | None:
        # argon2 takes a core for a third of a second: off the event loop, or every
        # user and the API wait for it.
        try:
            signed_in = await asyncio.to_thread(
                _sign_in,
                str(form.get("email", "")),
                str(form.get("password", "")),
                self.router.session.client_ip,
                self.device,
                self.phone_zone,
                device_label(self.router.headers.user_agent),
            )
        except ServiceError as refused:
            self.error = refused.message
            return None
        self.error = ""
        self.token = signed_in.token
        self.device = signed_in.device_token
        self.user_id = str(signed_in.actor.id)
        self.user_name = signed_in.actor.name
        self.user_role = signed_in.actor.role
        self.session_lost = False
        return rx.redirect(self._next_page(signed_in.actor.role))

    def _next_page(self, role: str) -> str:
        """The page the link pointed to (`/signin?next=...`), else the role's home."""
        back = safe_next(self.router.url.query_parameters.get(NEXT))
        return routes.home(role) if back == HOME else back


def field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return rx.el.label(
        rx.text(label, weight="medium", size="3"),
        rx.input(
            name=name,
            type=kind,
            auto_complete=autocomplete,
            required=True,
            size="3",
            width="100%",
            min_height="48px",
        ),
        display="flex",
        flex_direction="column",
        gap="6px",
        width="100%",
    )


def _forgot() -> rx.Component:
    # No mail server: the way back is a one-time link an admin makes (docs/people.md).
    return rx.el.details(
        rx.el.summary(
            "Forgot password?",
            style={
                "min_height": "44px",
                "display": "flex",
                "align_items": "center",
                "cursor": "pointer",
                "font_weight": "500",
                "color": "var(--accent-11)",
            },
        ),
        rx.text(
            "Ask your admin for a password reset link. Open it on this phone, choose a new "
            "password, and you are signed in. The link works once, for 72 hours.",
            size="3",
        ),
        width="100%",
    )


def signin_page() -> rx.Component:
    return rx.el.main(
        rx.vstack(
            rx.heading("Rapport", size="8", as_="h1"),
            rx.text("Sign in to your relationships.", size="3", color="var(--gray-11)"),
            rx.form(
                rx.vstack(
                    field("Email", "email", "email", "email"),
                    field("Password", "password", "password", "current-password"),
                    rx.cond(
                        SignInState.error != "",
                        rx.callout(
                            SignInState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.button("Sign in", type="submit", size="4", width="100%", min_height="48px"),
                    _forgot(),
                    spacing="4",
                    width="100%",
                ),
                on_submit=SignInState.submit,
                # Read in the browser as the form mounts, so the answer is queued before
                # any submit: asking through the server first let a quick submit (a
                # password manager's) overtake it and start the rep in UTC.
                on_mount=rx.call_script(PHONE_ZONE_JS, callback=SignInState.got_phone_zone),
                reset_on_submit=False,
                width="100%",
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
