"""Teams as an admin runs them: create, rename, give a manager.

A team's manager is a person with the manager role whose team it is (their
`team_id`): that is what lets them see the team's contacts (services/actor.py).
Assigning a manager therefore moves that manager into the team.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_pwa.db.user import Team, User
from crm_pwa.domain.people import may_list_people, may_manage_people, team_manager_problem
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.errors import Forbidden, Invalid, NotFound
from crm_pwa.services.people import viewer

NOT_ALLOWED = "Not allowed: teams are managed by an admin."
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class TeamView:
    id: uuid.UUID
    name: str
    managers: list[str]  # names, for the page
    manager_ids: list[uuid.UUID]
    members: int  # active people


def list_teams(*, session: Session, actor: Actor) -> list[TeamView]:
    who = viewer(actor)
    if not may_list_people(who):
        raise Forbidden(NOT_ALLOWED)
    query = select(Team).order_by(col(Team.name), col(Team.id))
    if who.role != "admin":
        query = query.where(Team.id == actor.team_id)
    teams = session.exec(query).all()
    counts = dict(
        session.exec(
            select(User.team_id, func.count())
            .where(col(User.is_active))
            .group_by(col(User.team_id))
        ).all()
    )
    managers = session.exec(
        select(User)
        .where(User.role == "manager", col(User.is_active), col(User.team_id).is_not(None))
        .order_by(col(User.name))
    ).all()
    return [
        TeamView(
            team.id,
            team.name,
            [m.name for m in managers if m.team_id == team.id],
            [m.id for m in managers if m.team_id == team.id],
            int(counts.get(team.id, 0)),
        )
        for team in teams
    ]


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise Invalid("Enter the team's name.", "name")
    if len(cleaned) > MAX_NAME:
        raise Invalid(f"A team's name is at most {MAX_NAME} characters.", "name")
    return cleaned


def _unique(session: Session, name: str, team_id: uuid.UUID | None) -> None:
    same = session.exec(select(Team).where(func.lower(Team.name) == name.lower())).first()
    if same is not None and same.id != team_id:
        raise Invalid("A team with this name already exists.", "name")


def create_team(
    *, session: Session, actor: Actor, name: str, now: datetime, device: str = ""
) -> Team:
    if not may_manage_people(viewer(actor)):
        raise Forbidden(NOT_ALLOWED)
    cleaned = _name(name)
    _unique(session, cleaned, None)
    team = Team(name=cleaned, created_at=now)
    session.add(team)
    session.flush()
    _audit(session, actor, "team_created", team.id, now, device, {})
    return team


def change_team(
    *,
    session: Session,
    actor: Actor,
    team_id: uuid.UUID,
    now: datetime,
    name: str | None = None,
    manager_id: uuid.UUID | None = None,
    device: str = "",
) -> Team:
    """Renames the team and/or makes a manager its manager (moving them into it)."""
    if not may_manage_people(viewer(actor)):
        raise Forbidden(NOT_ALLOWED)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("Team not found.")
    manager = None
    if manager_id is not None:
        manager = session.get(User, manager_id)
        if manager is None:
            raise Invalid("No such person.", "manager_id")
        problem = team_manager_problem(manager.role, manager.is_active)
        if problem:
            raise Invalid(problem, "manager_id")
    if name is not None:
        cleaned = _name(name)
        _unique(session, cleaned, team.id)
        if cleaned != team.name:
            team.name = cleaned
            session.add(team)
            _audit(session, actor, "team_renamed", team.id, now, device, {})
    if manager is not None and manager.team_id != team.id:
        manager.team_id = team.id
        session.add(manager)
        _audit(
            session,
            actor,
            "team_manager_assigned",
            team.id,
            now,
            device,
            {"manager_id": str(manager.id)},
        )
    session.flush()
    return team


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    team_id: uuid.UUID,
    now: datetime,
    device: str,
    detail: dict[str, object],
) -> None:
    record_audit(
        session,
        actor_id=actor.id,
        action=action,
        object_type="team",
        object_id=team_id,
        at=now,
        detail=detail,
        device=device,
    )
