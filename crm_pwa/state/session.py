"""The signed-in user, shared by every page.

The token lives in the browser's localStorage under `rapport_token`, where the
offline outbox also reads it, so the UI and the JSON API share one session.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from crm_pwa import clock, routes
from crm_pwa.api.event_admission import DATABASE
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.deep_link import sign_in_url
from crm_pwa.domain.sign_in_hint import HINT_CLEARED
from crm_pwa.services import auth
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Unauthorized
from crm_pwa.services.sign_out import sign_out_everywhere, sign_out_of_browser

TOKEN_KEY = "rapport_token"
# Today's lists as this phone saw them last (crm_pwa/components/last_known.py).
LAST_TODAY_KEY = "rapport_last_today"
T = TypeVar("T")
ENDPOINT_CHARS = 2048
# This browser's push endpoint, or "" (no service worker, no subscription, no push at all).
PUSH_ENDPOINT_JS = (
    "(async () => { try {"
    " const registration = await navigator.serviceWorker.getRegistration();"
    " const subscription = registration && await registration.pushManager.getSubscription();"
    " return subscription ? subscription.endpoint : '';"
    " } catch (_) { return ''; } })()"
)


def leave_for_sign_in(url: str) -> EventSpec:
    """A page load of the sign-in page, the stored session dropped first.

    The sign-in page is the server's own HTML, not a React route: React Router's
    navigation would never reach the server. The token goes before the page does,
    so the sign-in page never sees a token the server refused; Today's last lists
    go with it, so the next rep on this phone never has them.
    """
    return rx.call_script(
        f"localStorage.removeItem('{TOKEN_KEY}');"
        f" localStorage.removeItem('{LAST_TODAY_KEY}');"
        f" document.cookie = '{HINT_CLEARED}';"
        f" window.location.replace({json.dumps(url)});"
    )


async def in_database(work: Callable[[Session], T]) -> T:
    """Runs `work` in one database session on a worker thread, and gives its result.

    Every handler's database work goes through here: on the event loop a slow
    query, or a wait for SQLite's write lock, would stall every user's page and
    the API that share this process.
    """

    ticket = DATABASE.queued()

    def run() -> T:
        # How long the work waited for a thread: the pages' events are refused
        # while it is too long (crm_pwa/api/event_admission.py).
        DATABASE.started(ticket)
        with session_scope() as session:
            return work(session)

    try:
        return await asyncio.to_thread(run)
    finally:
        # A handler cancelled while its work still waited: that work never runs.
        DATABASE.forget(ticket)


class SessionState(rx.State):
    token: str = rx.LocalStorage(name=TOKEN_KEY, sync=True)
    user_id: str = ""
    user_name: str = ""
    user_role: str = ""
    # The browser held a token the server no longer accepts (expired or revoked):
    # sign-in then brings the rep back to this page. After a sign-out it does not.
    # A plain var, shared by every page's state: the first handler to notice may
    # not be the one that sends the rep to sign-in.
    session_lost: bool = False

    @rx.var
    def is_manager(self) -> bool:
        return self.user_role in ("manager", "admin")

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id != ""

    async def _actor_off_loop(self) -> Actor | None:
        """The caller, checked against the database (on a worker thread) on every use.

        A revoked token stops at once.
        """
        return self._remember(await asyncio.to_thread(_authenticate, self.token))

    def _remember(self, actor: Actor | None) -> Actor | None:
        if actor is None:
            if self.token:
                self.session_lost = True
            self._forget()
            return None
        self.user_id = str(actor.id)
        self.user_name = actor.name
        self.user_role = actor.role
        return actor

    def _forget(self) -> None:
        self.token = ""
        self.user_id = ""
        self.user_name = ""
        self.user_role = ""

    def _to_sign_in(self) -> EventSpec:
        """Sign-in, then back here: a reminder opened after the session ran out still lands."""
        if not self.session_lost:
            return leave_for_sign_in(routes.SIGN_IN)
        url = self.router.url
        here = url.path + (f"?{url.query}" if url.query else "")
        return leave_for_sign_in(sign_in_url(here))

    @rx.event
    async def require_user(self) -> EventSpec | None:
        if await self._actor_off_loop() is None:
            return self._to_sign_in()
        return None

    @rx.event
    def sign_out(self) -> EventSpec:
        # On a phone several reps share, the next rep must not get this rep's
        # reminders (they name contacts): ask the browser for its push endpoint first.
        return rx.call_script(PUSH_ENDPOINT_JS, callback=SessionState.signed_out_here)

    @rx.event
    async def signed_out_here(self, endpoint: Any) -> EventSpec:
        await asyncio.to_thread(_sign_out, self.token, str(endpoint or "")[:ENDPOINT_CHARS])
        self._forget()
        self.session_lost = False
        return leave_for_sign_in(routes.SIGN_IN)

    @rx.event
    async def sign_out_everywhere(self) -> EventSpec:
        actor = await self._actor_off_loop()
        if actor is not None:
            await asyncio.to_thread(_sign_out_everywhere, actor)
        self._forget()
        self.session_lost = False
        return leave_for_sign_in(routes.SIGN_IN)


def _authenticate(token: str) -> Actor | None:
    try:
        with session_scope() as session:
            return auth.authenticate(session=session, token=token, now=clock.now())
    except Unauthorized:
        return None


def _sign_out(token: str, push_endpoint: str) -> None:
    with session_scope() as session:
        sign_out_of_browser(
            session=session, token=token, push_endpoint=push_endpoint, now=clock.now()
        )


def _sign_out_everywhere(actor: Actor) -> None:
    with session_scope() as session:
        sign_out_everywhere(session=session, actor=actor, now=clock.now())
