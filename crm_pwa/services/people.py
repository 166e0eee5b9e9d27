"""The people of the account: who they are, adding them, moving them, switching them off.

Admins do everything here; a manager reads their own team; a rep is refused.
Who may do what to whom is decided in domain/people.py. Every change lands in
the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, delete, select

from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import AuthToken, Team, User
from crm_pwa.domain.people import (
    Viewer,
    change_problem,
    may_list_people,
    may_manage_people,
    may_see_person,
)
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.auth import create_user, sign_out_everywhere
from crm_pwa.services.errors import Forbidden, Invalid, NotFound
from crm_pwa.services.sign_in_links import IssuedLink, issue_link, revoke_links

NOT_ALLOWED = "Not allowed: people are managed by an admin."
NO_SUCH_PERSON = "Person not found."


@dataclass(frozen=True, slots=True)
class Person:
    id: uuid.UUID
    name: str
    email: str
    role: str
    team_id: uuid.UUID | None
    team_name: str
    active: bool
    last_active_at: datetime | None
    sessions: int  # signed-in browsers and apps whose token still works
    push_devices: int  # devices that get reminders


@dataclass(frozen=True, slots=True)
class Added:
    person: Person
    link: IssuedLink


def viewer(actor: Actor) -> Viewer:
    return Viewer(actor.id, actor.role, actor.team_id)


def _people(session: Session, now: datetime, where: list[ColumnElement[bool]]) -> list[Person]:
    live = (
        select(AuthToken.user_id, func.count().label("n"))
        .where(col(AuthToken.revoked_at).is_(None), col(AuthToken.expires_at) > now)
        .group_by(col(AuthToken.user_id))
        .subquery()
    )
    pushing = (
        select(PushSubscription.user_id, func.count().label("n"))
        .group_by(col(PushSubscription.user_id))
        .subquery()
    )
    rows = session.exec(
        select(User, Team.name, live.c.n, pushing.c.n)
        .outerjoin(Team, col(Team.id) == User.team_id)
        .outerjoin(live, live.c.user_id == User.id)
        .outerjoin(pushing, pushing.c.user_id == User.id)
        .where(*where)
        .order_by(col(User.is_active).desc(), col(User.name), col(User.id))
    ).all()
    return [
        Person(
            user.id,
            user.name,
            user.email,
            user.role,
            user.team_id,
            team_name or "",
            user.is_active,
            user.last_active_at,
            int(sessions or 0) if user.is_active else 0,
            int(devices or 0),
        )
        for user, team_name, sessions, devices in rows
    ]


def list_people(*, session: Session, actor: Actor, now: datetime) -> list[Person]:
    """Everyone for an admin, the own team for a manager; a rep is refused."""
    who = viewer(actor)
    if not may_list_people(who):
        raise Forbidden(NOT_ALLOWED)
    where: list[ColumnElement[bool]] = (
        [] if who.role == "admin" else [col(User.team_id) == actor.team_id]
    )
    return _people(session, now, where)


def get_person(*, session: Session, actor: Actor, person_id: uuid.UUID, now: datetime) -> Person:
    who = viewer(actor)
    if not may_list_people(who) and person_id != actor.id:
        raise Forbidden(NOT_ALLOWED)
    found = _people(session, now, [col(User.id) == person_id])
    if not found or not may_see_person(who, person_id, found[0].team_id):
        raise NotFound(NO_SUCH_PERSON)
    return found[0]


def _team(session: Session, team_id: uuid.UUID | None) -> Team | None:
    if team_id is None:
        return None
    team = session.get(Team, team_id)
    if team is None:
        raise Invalid("No such team.", "team_id")
    return team


def add_person(
    *,
    session: Session,
    actor: Actor,
    name: str,
    email: str,
    role: str,
    team_id: uuid.UUID | None,
    now: datetime,
    device: str = "",
) -> Added:
    """A new account with no usable password, and the one-time link that lets them set one."""
    if not may_manage_people(viewer(actor)):
        raise Forbidden(NOT_ALLOWED)
    team = _team(session, team_id)
    user = create_user(
        session=session,
        email=email,
        name=name,
        # Nobody knows this password; the link replaces it.
        password=_unguessable(),
        role=role,
        now=now,
        team=team,
    )
    link = issue_link(session, user=user, purpose="invite", by=actor.id, now=now)
    record_audit(
        session,
        actor_id=actor.id,
        action="person_added",
        object_type="user",
        object_id=user.id,
        at=now,
        detail={"role": role, "team_id": str(team_id) if team_id else None},
        device=device,
    )
    return Added(_people(session, now, [col(User.id) == user.id])[0], link)


def _unguessable() -> str:
    return secrets.token_urlsafe(32)


def change_person(
    *,
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    now: datetime,
    role: str | None = None,
    team_id: uuid.UUID | None = None,
    clear_team: bool = False,
    active: bool | None = None,
    device: str = "",
) -> Person:
    """Changes role, team or active; deactivating ends every session and push device at once."""
    who = viewer(actor)
    if not may_manage_people(who):
        raise Forbidden(NOT_ALLOWED)
    user = session.get(User, person_id)
    if user is None:
        raise NotFound(NO_SUCH_PERSON)
    problem = change_problem(who, person_id, role=role, active=active)
    if problem:
        raise Invalid(problem, "role" if role is not None else "active")
    changed: dict[str, object] = {}
    if role is not None and role != user.role:
        changed["role"] = [user.role, role]
        user.role = role
    if clear_team or team_id is not None:
        new_team = None if clear_team else _team(session, team_id)
        new_id = new_team.id if new_team else None
        if new_id != user.team_id:
            changed["team_id"] = [_str(user.team_id), _str(new_id)]
            user.team_id = new_id
    if changed:
        session.add(user)
        _audit(session, actor, "person_changed", user.id, now, device, changed)
    if active is not None and active != user.is_active:
        user.is_active = active
        session.add(user)
        if not active:
            _switch_off(session, user.id, now)
        _audit(
            session,
            actor,
            "person_deactivated" if not active else "person_reactivated",
            user.id,
            now,
            device,
            {},
        )
    session.flush()
    return _people(session, now, [col(User.id) == user.id])[0]


def _switch_off(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """Every way in closes at once; their contacts and history stay where they are."""
    sign_out_everywhere(session=session, user_id=user_id, now=now)
    session.exec(delete(PushSubscription).where(col(PushSubscription.user_id) == user_id))
    revoke_links(session, user_id=user_id, now=now)


def issue_reset_link(
    *, session: Session, actor: Actor, person_id: uuid.UUID, now: datetime, device: str = ""
) -> IssuedLink:
    if not may_manage_people(viewer(actor)):
        raise Forbidden(NOT_ALLOWED)
    user = session.get(User, person_id)
    if user is None:
        raise NotFound(NO_SUCH_PERSON)
    if not user.is_active:
        raise Invalid("This person is deactivated: reactivate them first.", "active")
    link = issue_link(session, user=user, purpose="reset", by=actor.id, now=now)
    _audit(session, actor, "reset_link_issued", user.id, now, device, {})
    return link


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    person_id: uuid.UUID,
    now: datetime,
    device: str,
    detail: dict[str, object],
) -> None:
    record_audit(
        session,
        actor_id=actor.id,
        action=action,
        object_type="user",
        object_id=person_id,
        at=now,
        detail=detail,
        device=device,
    )


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None
