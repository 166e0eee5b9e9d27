"""Signing out: the session ends, and so do the reminders it asked for.

Reminders name contacts and show on the lock screen. On a phone several reps
share, the rep who signs out must stop getting them there, while the next
rep's reminders on the same browser (their own row for the same endpoint,
services/push.py) stay as they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from crm_pwa.services import auth, push
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Unauthorized


def sign_out_of_browser(*, session: Session, token: str, push_endpoint: str, now: datetime) -> None:
    """Ends `token`; the rep's push subscription for this browser's endpoint goes with it."""
    if push_endpoint:
        try:
            actor = auth.authenticate(session=session, token=token, now=now)
        except Unauthorized:
            # The session had already ended: nothing says whose the endpoint is.
            actor = None
        if actor is not None:
            push.unsubscribe(session=session, actor=actor, endpoint=push_endpoint)
    auth.sign_out(session=session, token=token, now=now)


def sign_out_everywhere(*, session: Session, actor: Actor, now: datetime) -> None:
    """Ends every session of the rep and every device's reminders: no phone is theirs now."""
    auth.sign_out_everywhere(session=session, user_id=actor.id, now=now)
    push.forget_devices(session=session, actor=actor)
