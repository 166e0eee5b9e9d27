"""The signed-in user, shared by every page.

The token lives in the browser's localStorage under `rapport_token`, where the
offline outbox also reads it, so the UI and the JSON API share one session.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock, routes
from crm_pwa.db.engine import session_scope
from crm_pwa.services import auth
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Unauthorized

TOKEN_KEY = "rapport_token"


class SessionState(rx.State):
    token: str = rx.LocalStorage(name=TOKEN_KEY, sync=True)
    user_id: str = ""
    user_name: str = ""
    user_role: str = ""

    @rx.var
    def is_manager(self) -> bool:
        return self.user_role in ("manager", "admin")

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id != ""

    def _actor(self) -> Actor | None:
        """The caller, checked against the database on every use: a revoked token stops at once."""
        try:
            with session_scope() as session:
                actor = auth.authenticate(session=session, token=self.token, now=clock.now())
        except Unauthorized:
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

    @rx.event
    def require_user(self) -> EventSpec | None:
        if self._actor() is None:
            return rx.redirect(routes.SIGN_IN)
        return None

    @rx.event
    def sign_out(self) -> EventSpec:
        with session_scope() as session:
            auth.sign_out(session=session, token=self.token, now=clock.now())
        self._forget()
        return rx.redirect(routes.SIGN_IN)

    @rx.event
    def sign_out_everywhere(self) -> EventSpec:
        actor = self._actor()
        if actor is not None:
            with session_scope() as session:
                auth.sign_out_everywhere(session=session, user_id=actor.id, now=clock.now())
        self._forget()
        return rx.redirect(routes.SIGN_IN)
