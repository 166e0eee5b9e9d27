"""Sign-in, tokens and sign-out.

Tokens are 256-bit random strings; only their SHA-256 is stored, so the token
table is useless to whoever reads it. Five failures for one address within the
window lock that address until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select, update

from crm_pwa.db.user import AuthToken, SignInFailure, Team, User
from crm_pwa.services.actor import ROLES, Actor
from crm_pwa.services.errors import Invalid, TooManyAttempts, Unauthorized
from crm_pwa.settings import get_settings

MIN_PASSWORD_LENGTH = 8


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> tuple[PasswordHasher, str]:
    """The argon2 hasher, and a dummy hash to verify against for unknown addresses.

    Verifying the dummy keeps the answer time the same, so timing does not tell
    which addresses have an account. The fast profile exists for test suites,
    which create hundreds of users; a deployment never sets it.
    """
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if fast else PasswordHasher()
    return hasher, hasher.hash("not a real password")


def _current_hasher() -> tuple[PasswordHasher, str]:
    return _hasher(get_settings().fast_password_hashing)


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    expires_at: datetime
    actor: Actor


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", "password")
    return _current_hasher()[0].hash(password)


def _token_hash(token: str) -> str:
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
    time_zone: str = "UTC",
) -> User:
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
        time_zone=time_zone,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def sign_in(
    *, session: Session, email: str, password: str, now: datetime, label: str = ""
) -> SignedIn:
    settings = get_settings()
    address = normalise_email(email)
    window_start = now - timedelta(minutes=settings.sign_in_window_minutes)
    failures = session.exec(
        select(func.count(), func.min(SignInFailure.at)).where(
            SignInFailure.email == address, SignInFailure.at > window_start
        )
    ).one()
    if failures[0] >= settings.sign_in_max_failures:
        oldest: datetime = failures[1]
        wait = oldest + timedelta(minutes=settings.sign_in_window_minutes) - now
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise TooManyAttempts(
            f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            max(1, int(wait.total_seconds())),
        )
    user = session.exec(select(User).where(User.email == address)).first()
    if not _password_matches(user, password) or user is None or not user.is_active:
        session.add(SignInFailure(email=address, at=now))
        session.commit()
        raise Unauthorized("Wrong email or password.")
    session.exec(delete(SignInFailure).where(col(SignInFailure.email) == address))
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=settings.token_days)
    session.add(
        AuthToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=expires_at,
            label=label[:200],
        )
    )
    session.flush()
    return SignedIn(token=token, expires_at=expires_at, actor=Actor.of(user))


def _password_matches(user: User | None, password: str) -> bool:
    hasher, dummy = _current_hasher()
    try:
        return hasher.verify(user.password_hash if user else dummy, password) and (user is not None)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(*, session: Session, token: str, now: datetime) -> Actor:
    if not token:
        raise Unauthorized("Sign in first.")
    row = session.exec(
        select(AuthToken, User)
        .join(User, col(User.id) == AuthToken.user_id)
        .where(AuthToken.token_hash == _token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized("Sign in first.")
    stored, user = row
    if stored.revoked_at is not None or stored.expires_at <= now or not user.is_active:
        raise Unauthorized("Your session has ended. Sign in again.")
    return Actor.of(user)


def sign_out(*, session: Session, token: str, now: datetime) -> None:
    session.exec(
        update(AuthToken)
        .where(col(AuthToken.token_hash) == _token_hash(token))
        .where(col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def sign_out_everywhere(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    session.exec(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id)
        .where(col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
