"""One-time sign-in links: how a new person gets in, and how a forgotten password comes back.

An admin issues a link; the app shows it once for the admin to pass on (no mail
server is needed). Opening it lets its holder choose a password, which signs
them in. Only a SHA-256 of the link's secret is stored; the rules of when a link
still works are in domain/people.py.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select, update

from crm_pwa import routes
from crm_pwa.db.user import SignInLink, User
from crm_pwa.domain.people import link_expires_at, link_problem
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.auth import SignedIn, issue_token, sign_out_everywhere, token_hash
from crm_pwa.services.errors import NotFound
from crm_pwa.services.passwords import hash_password


@dataclass(frozen=True, slots=True)
class IssuedLink:
    path: str  # e.g. /set-password/<secret>: the admin's page puts its own origin in front
    expires_at: datetime
    purpose: str


@dataclass(frozen=True, slots=True)
class LinkHolder:
    name: str
    email: str
    purpose: str


def issue_link(
    session: Session, *, user: User, purpose: str, by: uuid.UUID | None, now: datetime
) -> IssuedLink:
    """A fresh link for `user`; any earlier unused one stops working."""
    session.exec(
        update(SignInLink)
        .where(col(SignInLink.user_id) == user.id)
        .where(col(SignInLink.used_at).is_(None), col(SignInLink.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    secret = secrets.token_urlsafe(32)
    link = SignInLink(
        user_id=user.id,
        token_hash=token_hash(secret),
        purpose=purpose,
        created_by=by,
        created_at=now,
        expires_at=link_expires_at(now),
    )
    session.add(link)
    session.flush()
    return IssuedLink(routes.set_password(secret), link.expires_at, purpose)


def revoke_links(session: Session, *, user_id: uuid.UUID, now: datetime) -> None:
    session.exec(
        update(SignInLink)
        .where(col(SignInLink.user_id) == user_id)
        .where(col(SignInLink.used_at).is_(None), col(SignInLink.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def _open(session: Session, secret: str, now: datetime) -> tuple[SignInLink, User]:
    row = session.exec(
        select(SignInLink, User)
        .join(User, col(User.id) == SignInLink.user_id)
        .where(SignInLink.token_hash == token_hash(secret))
    ).first()
    if row is None or not secret:
        raise NotFound("This link is not valid. Check that it was copied whole, or ask your admin.")
    link, user = row
    problem = link_problem(
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked=link.revoked_at is not None,
        active=user.is_active,
        now=now,
    )
    if problem:
        raise NotFound(problem)
    return link, user


def check_link(session: Session, *, secret: str, now: datetime) -> LinkHolder:
    """Whose link this is, for the page that asks for a password; refuses a dead link."""
    link, user = _open(session, secret, now)
    return LinkHolder(user.name, user.email, link.purpose)


def use_link(
    session: Session, *, secret: str, password: str, now: datetime, label: str, device: str
) -> SignedIn:
    """Sets the password, ends the link and every older session, and signs the holder in."""
    link, user = _open(session, secret, now)
    # Marked used before the slow hash: a second use of the same link, racing
    # this one, finds no unused row to claim.
    claimed = session.exec(
        update(SignInLink)
        .where(col(SignInLink.id) == link.id, col(SignInLink.used_at).is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise NotFound("This link has already been used. Ask your admin for a new one.")
    user.password_hash = hash_password(password)
    sign_out_everywhere(session=session, user_id=user.id, now=now)
    token, expires_at = issue_token(session, user, now, label)
    record_audit(
        session,
        actor_id=user.id,
        action="password_set",
        object_type="user",
        object_id=user.id,
        at=now,
        detail={"by": link.purpose + " link"},
        device=device,
    )
    session.flush()
    return SignedIn(token=token, expires_at=expires_at, actor=Actor.of(user), device_token="")
