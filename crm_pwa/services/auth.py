"""Sign-in, tokens and sign-out.

Tokens are 256-bit random strings; only their SHA-256 is stored, so the token
table is useless to whoever reads it. A token ends `token_days` after sign-in,
or after `token_idle_days` without use.

Guessing is braked per account and per client address (domain/sign_in_limits):
each attempt is counted before its password is checked, so parallel guesses
cannot slip past the count. A device that signed in to the account before
presents its device token and is braked on its own instead, so whoever hammers
the address does not keep the owner out (docs/sign-in.md).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from crm_pwa.db import sign_in as streaks
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.sign_in import KnownDevice
from crm_pwa.db.user import AuthToken, Team, User
from crm_pwa.domain.sign_in_limits import Brake, Refused, next_streak
from crm_pwa.services.actor import ROLES, Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.errors import (
    AccountDeactivated,
    Invalid,
    ServerBusy,
    TooManyAttempts,
    Unauthorized,
)
from crm_pwa.services.passwords import hash_password, password_matches
from crm_pwa.services.push import adopt_phone_zone
from crm_pwa.settings import get_settings

# Moving last_used_at on every request would make every read a write.
LAST_USED_STEP = timedelta(hours=1)
DEVICE_UNUSED_DAYS = 180
DEACTIVATED = "This account has been deactivated. Ask your admin if you need it back."


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    expires_at: datetime
    actor: Actor
    # Kept by the client and sent with its next sign-ins (docs/sign-in.md).
    device_token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str,
    role: str,
    now: datetime,
    team: Team | None = None,
    time_zone: str | None = None,
) -> User:
    """A new account; without `time_zone` the first sign-in takes the phone's zone."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 320:
        raise Invalid("Enter a valid email address.", "email")
    if not name.strip():
        raise Invalid("Enter a name.", "name")
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", "role")
    if session.exec(select(User).where(User.email == address)).first():
        raise Invalid("A user with this email already exists.", "email")
    user = User(
        email=address,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        team_id=team.id if team else None,
        time_zone=time_zone or "UTC",
        time_zone_chosen=time_zone is not None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _brakes(device: KnownDevice | None, address: str, client: str) -> dict[str, Brake]:
    settings = get_settings()
    account = Brake(free=settings.sign_in_max_failures)
    if device is not None:
        return {f"device:{device.device_hash}": account}
    return {
        f"account:{address}": account,
        f"client:{client}": Brake(free=settings.sign_in_client_max_failures),
    }


def _count_attempt(session: Session, brakes: dict[str, Brake], now: datetime) -> None:
    """Counts one attempt on every key, all or none, and commits; refuses a braked key.

    Keys are taken in one order so two attempts never wait on each other's rows.
    """
    begin_writing(session)
    refusals: list[Refused] = []
    for key in sorted(brakes):
        while True:
            streak, version = streaks.read_streak(session, key)
            decided = next_streak(streak, brakes[key], now)
            if isinstance(decided, Refused):
                refusals.append(decided)
                break
            if streaks.write_streak(session, key, version, decided):
                break
    if refusals:
        session.rollback()
        longest = max(refusals, key=lambda refused: refused.wait)
        raise TooManyAttempts(longest.message, longest.retry_after_seconds)
    session.commit()


def _give_back(session: Session, brakes: dict[str, Brake]) -> None:
    for key in sorted(brakes):
        streaks.give_back_attempt(session, key, brakes[key].free)


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    now: datetime,
    label: str = "",
    client: str = "",
    device_token: str = "",
    device: str = "",
    phone_zone: str = "",
) -> SignedIn:
    """`label` names the session (its user-agent); `device` is the audit log's short name;
    `phone_zone` the zone the phone is set to, which a rep who never chose one adopts."""
    address = normalise_email(email)
    user = session.exec(select(User).where(User.email == address)).first()
    device_row = None
    if user is not None and device_token:
        device_row = streaks.find_device(session, user.id, token_hash(device_token))
    brakes = _brakes(device_row, address, client)
    _count_attempt(session, brakes, now)
    # The commit above gave the connection back: none is held during the slow hash.
    try:
        matches = password_matches(user.password_hash if user else None, password)
    except ServerBusy:
        _give_back(session, brakes)
        session.commit()
        raise
    if not matches or user is None:
        _record_failure(session, user, now, device, "wrong password")
        raise Unauthorized("Wrong email or password.")
    if not user.is_active:
        # Said only to whoever knows the password: it reveals nothing to a guesser.
        _record_failure(session, user, now, device, "deactivated")
        raise AccountDeactivated(DEACTIVATED)
    for key in sorted(brakes):
        if key.startswith("client:"):
            streaks.give_back_attempt(session, key, brakes[key].free)
        else:
            streaks.end_streak(session, key)
    if device_row is None:
        device_token = secrets.token_urlsafe(32)
        device_row = KnownDevice(
            user_id=user.id, device_hash=token_hash(device_token), created_at=now, last_used_at=now
        )
    device_row.last_used_at = now
    session.add(device_row)
    token, expires_at = issue_token(session, user, now, label)
    record_audit(
        session,
        actor_id=user.id,
        action="sign_in",
        object_type="user",
        object_id=user.id,
        at=now,
        device=device,
    )
    actor = Actor.of(user)
    adopt_phone_zone(session=session, actor=actor, phone_zone=phone_zone)
    session.flush()
    return SignedIn(token=token, expires_at=expires_at, actor=actor, device_token=device_token)


def _record_failure(
    session: Session, user: User | None, now: datetime, device: str, reason: str
) -> None:
    """Kept even though the sign-in fails: committed here, before the refusal is raised.

    An unknown address is recorded without it: what a stranger typed stays out of the log.
    """
    record_audit(
        session,
        actor_id=None,
        action="sign_in_failed",
        object_type="user",
        object_id=user.id if user else "",
        at=now,
        detail={"reason": reason if user else "unknown account"},
        device=device,
    )
    session.commit()


def issue_token(session: Session, user: User, now: datetime, label: str) -> tuple[str, datetime]:
    """A new session token for `user`; the caller has checked who they are."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=get_settings().token_days)
    session.add(
        AuthToken(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=expires_at,
            last_used_at=now,
            label=label[:200],
        )
    )
    user.last_active_at = now
    session.add(user)
    return token, expires_at


def authenticate(*, session: Session, token: str, now: datetime) -> Actor:
    if not token:
        raise Unauthorized("Sign in first.")
    row = session.exec(
        select(AuthToken, User)
        .join(User, col(User.id) == AuthToken.user_id)
        .where(AuthToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized("Sign in first.")
    stored, user = row
    idle_limit = timedelta(days=get_settings().token_idle_days)
    if (
        stored.revoked_at is not None
        or stored.expires_at <= now
        or now - stored.last_used_at >= idle_limit
        or not user.is_active
    ):
        raise Unauthorized("Your session has ended. Sign in again.")
    if now - stored.last_used_at >= LAST_USED_STEP:
        session.exec(
            update(AuthToken).where(col(AuthToken.id) == stored.id).values(last_used_at=now)
        )
        session.exec(update(User).where(col(User.id) == user.id).values(last_active_at=now))
    return Actor.of(user)


def sign_out(*, session: Session, token: str, now: datetime) -> None:
    session.exec(
        update(AuthToken)
        .where(col(AuthToken.token_hash) == token_hash(token))
        .where(col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def sign_out_everywhere(
    *, session: Session, user_id: uuid.UUID, now: datetime, keep_token: str = ""
) -> None:
    """Ends every session of the user, except the one holding `keep_token` if given."""
    query = (
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id)
        .where(col(AuthToken.revoked_at).is_(None))
    )
    if keep_token:
        query = query.where(col(AuthToken.token_hash) != token_hash(keep_token))
    session.exec(query.values(revoked_at=now))


def forget_old_sign_ins(*, session: Session, now: datetime) -> int:
    """Deletes expired and idle tokens, quiet guessing streaks and long-unused devices."""
    settings = get_settings()
    return streaks.forget_old_sign_in_rows(
        session,
        now=now,
        quiet_since=now - Brake(free=settings.sign_in_max_failures).forget_after,
        idle_since=now - timedelta(days=settings.token_idle_days),
        unused_since=now - timedelta(days=DEVICE_UNUSED_DAYS),
    )
