"""Who is asking, and whose contacts that person may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from crm_pwa.db.user import User
from crm_pwa.domain.people import ROLES

__all__ = ["ROLES", "Actor", "visible_owner_ids", "visible_team"]


@dataclass(frozen=True, slots=True)
class Actor:
    id: uuid.UUID
    name: str
    email: str
    role: str
    team_id: uuid.UUID | None
    time_zone: str

    @property
    def sees_team(self) -> bool:
        return self.role in ("manager", "admin")

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.name, user.email, user.role, user.team_id, user.time_zone)


def visible_team(actor: Actor) -> uuid.UUID | None:
    """The team whose people's contacts the actor sees, a manager's; None for anyone else."""
    return actor.team_id if actor.role == "manager" else None


def visible_owner_ids(session: Session, actor: Actor) -> list[uuid.UUID] | None:
    """The owners whose contacts the actor may see; None means everyone (admin)."""
    if actor.role == "admin":
        return None
    team = visible_team(actor)
    if team is not None:
        return list(session.exec(select(User.id).where(User.team_id == team)).all())
    return [actor.id]
