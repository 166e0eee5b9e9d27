"""Changing one's own password: the old one proves it is you, the new one meets the policy."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.auth import sign_out_everywhere
from crm_pwa.services.errors import Invalid, Unauthorized
from crm_pwa.services.passwords import hash_password, password_matches


def change_own_password(
    *,
    session: Session,
    actor: Actor,
    old: str,
    new: str,
    now: datetime,
    token: str,
    device: str = "",
) -> None:
    """Sets the new password and ends every other session: a thief's copy stops working."""
    user = session.get(User, actor.id)
    if user is None or not user.is_active:
        raise Unauthorized("Your session has ended. Sign in again.")
    if not password_matches(user.password_hash, old):
        raise Invalid("Your current password is not right.", "old_password")
    if new == old:
        raise Invalid("The new password must differ from the current one.", "new_password")
    user.password_hash = hash_password(new)
    session.add(user)
    sign_out_everywhere(session=session, user_id=user.id, now=now, keep_token=token)
    record_audit(
        session,
        actor_id=user.id,
        action="password_changed",
        object_type="user",
        object_id=user.id,
        at=now,
        device=device,
    )
    session.flush()
